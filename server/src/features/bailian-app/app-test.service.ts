import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { AppCallError } from "../../llm/bailian-app.js";
import { LlmError } from "../../llm/chat-model.js";
import { appModel } from "../chat/app-model.js";
import type { CitableSource } from "../knowledge/citations.js";
import { citedSources } from "../knowledge/citations.js";
import { siteAccess } from "../sites/site-access.js";
import { siteApiKey } from "../sites/sites.service.js";

/**
 * The settings page's "test the application": one question to the site's saved application,
 * answered as a visitor would get it (citations and sources as in the widget), or the reason it
 * cannot answer as a stable code. Nothing is stored: it is the owner's check, not a conversation.
 */
export async function testApplication(deps: AppDeps, ownerId: string, siteId: string, question: string) {
  const { site } = await siteAccess(deps, ownerId, siteId, "admin");
  if (!site.bot.bailianAppId) throw new AppError("invalid_body", "Save a Bailian application id in the bot's settings first.");
  const key = siteApiKey(deps.keyring, site);
  if (!site.apiKey) throw new AppError("own_key_required");
  if (!key.usable) throw new AppError("invalid_api_key", "The site's own key can no longer be read: enter it again on the API key page.");
  const sources: CitableSource[] = [];
  let answer = "";
  try {
    for await (const chunk of appModel(deps.apps, site, sources).stream({
      model: site.bot.model,
      messages: [{ role: "user", content: question }],
      temperature: site.bot.temperature,
      maxTokens: site.bot.maxOutputTokens,
      apiKey: key.key,
    })) {
      if (chunk.type === "text") answer += chunk.text;
    }
  } catch (err) {
    throw appError(err);
  }
  return { answer, sources: citedSources(answer, sources) };
}

function appError(err: unknown): AppError {
  if (err instanceof AppCallError && err.appCode) return new AppError(err.appCode);
  if (err instanceof LlmError && err.kind === "auth") return new AppError("invalid_api_key");
  return new AppError("app_failed");
}
