import type { AppDeps } from "../../deps.js";
import type { AnswerSink } from "../chat/chat.schemas.js";
import type { SiteRecord } from "../sites/site-record.js";
import { draw } from "./draw.js";
import { drawnSentence } from "./drawing.messages.js";
import { GENERATE_IMAGE } from "./generate-image-tool.js";

export interface ToolCall {
  name: string;
  arguments: string;
}

type Deps = Parameters<typeof draw>[0] & Pick<AppDeps, "db">;

/**
 * An answer's tool calls, carried out: the first generate_image is drawn (one picture an answer;
 * others are ignored, as is any tool we did not offer). Answers the words to add when the model
 * wrote none (docs/media.md step 5), or null.
 */
export async function drawIfAsked(
  deps: Deps,
  answer: { site: SiteRecord; conversationId: string; visitorId?: string; messageId: string; apiKey?: string; text: string },
  calls: readonly ToolCall[],
  sink: AnswerSink,
): Promise<string | null> {
  const call = calls.find((c) => c.name === GENERATE_IMAGE);
  if (!call || !answer.visitorId) return null;
  const failure = await draw(
    deps,
    {
      site: answer.site,
      conversationId: answer.conversationId,
      visitorId: answer.visitorId,
      messageId: answer.messageId,
      arguments: call.arguments,
      apiKey: answer.apiKey,
    },
    sink,
  );
  return answer.text.trim() ? null : drawnSentence(failure, answer.site.bot.language);
}
