import type { AppDeps } from "../../deps.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import type { SiteRecord } from "../sites/site-record.js";
import type { CitableSource } from "./citations.js";
import { retrieve } from "./knowledge.service.js";
import type { RetrievedChunk } from "./retrieval/search-knowledge.js";
import { frameSources } from "./source-frame.js";

/** What the site's knowledge adds to one answer. */
export interface KnowledgeContext {
  /** the sources framed into `message`, numbered as the model cites them */
  sources: CitableSource[];
  /** the framed sources, put after the bot's own prompt; null: nothing found (or knowledge off) */
  message: ChatMessage | null;
  /** "only" mode found nothing relevant: this is the answer, and the model is not called */
  answerWithout: string | null;
}

const NONE: KnowledgeContext = { sources: [], message: null, answerWithout: null };

const ONLY = {
  en: "Answer only from these sources. If they do not contain the answer, say politely that you do not know, and do not answer from general knowledge.",
  "zh-CN": "只根据这些资料回答。如果资料中没有答案，请礼貌地说明你不知道，不要根据常识回答。",
} as const;

const NOT_FOUND = {
  en: (contact: string) =>
    `Sorry, I couldn't find an answer to that in this site's information.${contact ? ` You can reach us here: ${contact}` : " Please try asking in another way."}`,
  "zh-CN": (contact: string) =>
    `抱歉，我在本网站的资料中没有找到这个问题的答案。${contact ? `你可以通过以下方式联系我们：${contact}` : "请换个问法试试。"}`,
} as const;

/** Where in its source a chunk stands (its headings below the source's title), unless the text already says it (an FAQ's question). */
function sectionOf(chunk: RetrievedChunk): string {
  const place = chunk.heading.startsWith(chunk.title) ? chunk.heading.slice(chunk.title.length).replace(/^\s*›\s*/, "") : chunk.heading;
  return place && !chunk.text.includes(place) ? place : "";
}

/**
 * The site's knowledge for a question: the relevant chunks grouped by source, each source one
 * number. Retrieval trouble (the embedding service down, the month's tokens spent) is logged and
 * the answer goes on without knowledge: a visitor is never refused an answer because of it.
 */
export async function knowledgeFor(deps: AppDeps, site: SiteRecord, question: string): Promise<KnowledgeContext> {
  const { bot } = site;
  if (bot.knowledge === "off" || bot.bailianAppId) return NONE;
  let relevant: RetrievedChunk[] = [];
  try {
    relevant = (await retrieve(deps, site, question)).filter((c) => c.relevant);
  } catch (err) {
    deps.logger.info({ msg: "knowledge not retrieved", siteId: site.id, error: err instanceof Error ? err.name : typeof err });
  }
  if (!relevant.length) {
    return bot.knowledge === "only" ? { ...NONE, answerWithout: NOT_FOUND[bot.language](bot.contactText) } : NONE;
  }
  const sources: CitableSource[] = [];
  for (const chunk of relevant) {
    let source = sources.find((s) => s.sourceId === chunk.sourceId);
    if (!source) {
      source = { n: sources.length + 1, title: chunk.title, url: chunk.url, texts: [], sourceId: chunk.sourceId };
      sources.push(source);
    }
    const place = sectionOf(chunk);
    source.texts.push(place ? `${place}\n${chunk.text}` : chunk.text);
  }
  const framed = frameSources(sources, bot.language);
  return {
    sources,
    message: { role: "system", content: bot.knowledge === "only" ? `${framed}\n\n${ONLY[bot.language]}` : framed },
    answerWithout: null,
  };
}
