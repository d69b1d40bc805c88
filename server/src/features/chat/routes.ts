import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { sseResponse } from "../../http/sse.js";
import { MAX_MESSAGE_CHARS } from "../../shared/message-limits.js";
import {
  ConversationListResponse,
  ConversationParams,
  ConversationResponse,
  MessageListResponse,
  PostMessageBody,
  RetryBody,
  StreamEvents,
} from "./chat.schemas.js";
import { createConversation, listConversations, listMessages, postMessage, retryAnswer } from "./chat.service.js";

export function registerChatRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "widget", auth: "visitor" as const, errors: ["unauthorized", "origin_required", "origin_not_allowed"] as const };

  router.add({
    ...common,
    errors: [...common.errors],
    method: "GET",
    path: "/v1/conversations",
    summary: "The visitor's conversations, newest first",
    response: ConversationListResponse,
    handler: async ({ visitor }) => ({ conversations: await listConversations(deps, visitor) }),
  });

  router.add({
    ...common,
    errors: [...common.errors, "rate_limited"],
    method: "POST",
    path: "/v1/conversations",
    summary:
      "Start a new conversation (at most 10 a minute per visitor; one that never gets a message is not shown to the owner and is deleted after a day)",
    response: ConversationResponse,
    status: 201,
    handler: async ({ visitor }) => ({ conversation: await createConversation(deps, visitor) }),
  });

  router.add({
    ...common,
    errors: [...common.errors, "not_found"],
    method: "GET",
    path: "/v1/conversations/:conversationId/messages",
    summary: "A conversation's messages, oldest first (the newest 200), and its status (who answers it now)",
    params: ConversationParams,
    response: MessageListResponse,
    handler: async ({ visitor, params }) => listMessages(deps, visitor, params.conversationId),
  });

  router.add({
    ...common,
    errors: [
      ...common.errors,
      "not_found",
      "invalid_body",
      "payload_too_large",
      "rate_limited",
      "quota_exceeded",
      "media_disabled",
      "upload_not_ready",
    ],
    method: "POST",
    path: "/v1/conversations/:conversationId/messages",
    summary:
      "Send a message (`attachments`: up to 4 ready picture uploads, answered by the site's vision model; content may then be empty); answers text/event-stream: `start`, then `delta` events ({text}), `image` events while the bot draws, then `done` ({messageId, status, usage, sources}) or `error` ({code, message, messageId, status, sources}); sources: what the answer cited, [{n, title, url, sourceId}]; done has offerHandoff: true when the answer offers a person. While a person handles the conversation (waiting/human) the message goes to the team and the stream is one `handoff` event ({userMessageId, status}) instead",
    params: ConversationParams,
    body: PostMessageBody,
    // The message itself is capped by the schema; this only bounds what is read. 6 bytes a
    // character: JSON may send any character as \uXXXX.
    maxBodyBytes: MAX_MESSAGE_CHARS * 6 + 1024,
    responseKind: "sse",
    events: StreamEvents,
    handler: async ({ visitor, site, ip, params, body }) =>
      sseResponse(await postMessage(deps, { visitor, site, ip }, params.conversationId, body.content, body.attachments)),
  });

  router.add({
    ...common,
    errors: [...common.errors, "not_found", "invalid_body", "not_latest_message", "nothing_to_retry", "rate_limited", "quota_exceeded"],
    method: "POST",
    path: "/v1/conversations/:conversationId/retry",
    summary:
      "Answer the latest visitor message again after a failed, cut-off or refused answer (the question is not stored twice); the same event stream as posting a message",
    params: ConversationParams,
    body: RetryBody,
    responseKind: "sse",
    events: StreamEvents,
    handler: async ({ visitor, site, ip, params, body }) =>
      sseResponse(await retryAnswer(deps, { visitor, site, ip }, params.conversationId, body.userMessageId)),
  });
}
