import type { BailianApps } from "../../llm/bailian-app.js";
import { type ChatModel, LlmError } from "../../llm/chat-model.js";
import { RefRewriter } from "../../llm/ref-rewriter.js";
import type { CitableSource } from "../knowledge/citations.js";
import type { SiteRecord } from "../sites/site-record.js";

/** The answer's model in messages and api_calls: which application answered. */
export const appModelName = (appId: string): string => `bailian-app:${appId}`.slice(0, 64);

/**
 * A site's Bailian application as the answer path's model: the conversation goes as the app's
 * `messages` (our transcript stays the record; the bot's system prompt stays ours, the app has its
 * own), its `<ref>[k]</ref>` markers become our `[n]`, numbered in order of first citation, and
 * the documents it cited are pushed into `sources` when it ends, for answer() to store and send.
 */
export function appModel(apps: BailianApps, site: SiteRecord, sources: CitableSource[]): ChatModel {
  const appId = site.bot.bailianAppId!;
  return {
    async *stream(request) {
      if (!request.apiKey)
        throw new LlmError("auth", "A Bailian application needs the site's own DashScope key.", { upstreamCode: "own_key_required" });
      const numbers = new Map<number, number>();
      const rewriter = new RefRewriter((k) => {
        if (!numbers.has(k)) numbers.set(k, numbers.size + 1);
        return numbers.get(k)!;
      });
      for await (const chunk of apps.streamApp({
        appId,
        workspaceId: site.bot.bailianWorkspaceId ?? undefined,
        apiKey: request.apiKey,
        messages: request.messages.filter((m) => m.role !== "system"),
        signal: request.signal,
      })) {
        if (chunk.type === "text") {
          const text = rewriter.push(chunk.text);
          if (text) yield { type: "text", text };
          continue;
        }
        const rest = rewriter.flush();
        if (rest) yield { type: "text", text: rest };
        for (const [k, n] of numbers) {
          const doc = chunk.references.find((r) => r.index === k);
          if (doc) sources.push({ n, title: doc.title || doc.docName, url: doc.url, texts: [], sourceId: null });
        }
        yield { type: "end", finishReason: "stop", usage: chunk.usage, requestId: chunk.requestId };
      }
    },
  };
}
