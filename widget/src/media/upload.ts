import type { ApiClient } from "../api/api-client.js";
import { toApiError } from "../api/api-error.js";
import type { MediaView } from "../shared/contract.js";

/**
 * `POST /v1/conversations/:id/uploads` (docs/media.md "Uploads"): where the bytes go. OSS: a
 * PostObject form (its fields in order, then `file` last); the local file store: a PUT to our API
 * with the visitor token.
 */
interface UploadAnswer {
  upload: { id: string };
  target: { method: "POST"; url: string; fields: Record<string, string> } | { method: "PUT"; url: string; headers: Record<string, string> };
}

const enc = encodeURIComponent;

/** The visitor's conversation, made first when there is none yet (an upload belongs to one). */
export const conversation = async (client: ApiClient) => client.conversationId() ?? (await client.createConversation());

/**
 * Uploads `blob` and completes it: the server then reads the bytes and checks them, and answers
 * the picture or recording, ready. Throws an error with the server's code (or http_<status> from
 * the bucket).
 */
export async function upload(client: ApiClient, api: string, kind: "image" | "audio", blob: Blob): Promise<MediaView> {
  const id = await conversation(client);
  const res = await client.authed("POST", `/v1/conversations/${enc(id)}/uploads`, { kind, mediaType: blob.type, size: blob.size });
  const { upload, target }: UploadAnswer = await res.json();
  if (target.method === "PUT" && target.url.startsWith(`${api}/`)) {
    await client.authed("PUT", target.url.slice(api.length), blob, undefined, target.headers);
  } else {
    let init: RequestInit;
    if (target.method === "POST") {
      const form = new FormData();
      for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
      form.append("file", blob);
      init = { method: "POST", body: form };
    } else init = { method: "PUT", headers: target.headers, body: blob };
    let sent: Response;
    try {
      sent = await fetch(target.url, init);
    } catch {
      throw { code: "network" };
    }
    if (!sent.ok) throw await toApiError(sent);
  }
  const done = await client.authed("POST", `/v1/uploads/${enc(upload.id)}/complete`, {});
  return (await done.json()).upload;
}
