import { expect } from "vitest";
import { type Harness, json } from "./harness.js";

interface Visitor {
  conversationId: string;
  headers: Record<string, string>;
}

/** A visitor's upload through the widget's steps (create → PUT to the local target → complete); answers its id. */
export async function uploadReady(
  h: Harness,
  visitor: Visitor,
  kind: "image" | "audio",
  mediaType: string,
  bytes: Uint8Array,
): Promise<string> {
  const created = await h.request(
    `/v1/conversations/${visitor.conversationId}/uploads`,
    json({ kind, mediaType, size: bytes.length }, visitor.headers),
  );
  expect(created.status).toBe(201);
  const { upload, target } = (await created.json()) as { upload: { id: string }; target: { url: string } };
  const put = await h.request(target.url, {
    method: "PUT",
    body: bytes as Uint8Array<ArrayBuffer>,
    headers: { ...visitor.headers, "content-type": mediaType },
  });
  expect(put.status).toBe(204);
  const done = await h.request(`/v1/uploads/${upload.id}/complete`, { method: "POST", headers: visitor.headers });
  expect(done.status).toBe(200);
  return upload.id;
}

/** PATCHes the site's media settings as its owner. */
export async function setMedia(h: Harness, cookie: string, siteId: string, media: Record<string, unknown>): Promise<void> {
  const res = await h.request(`/api/sites/${siteId}`, { ...json({ media }, { cookie }), method: "PATCH" });
  expect(res.status).toBe(200);
}

/** The image_url parts of a chat request the fake received. */
// any: the request body exactly as the client sent it (RecordedRequest.body)
export const imageParts = (body: any): string[] =>
  (body?.messages ?? []).flatMap((m: any) =>
    Array.isArray(m.content)
      ? m.content.filter((p: any) => p?.type === "image_url").map((p: any) => String(p.image_url?.url ?? p.image_url))
      : [],
  );
