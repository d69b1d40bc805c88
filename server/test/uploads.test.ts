import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localMediaUrl } from "../src/features/uploads/media-links.js";
import { pruneExpiredMedia } from "../src/features/uploads/prune-media.js";
import { findVisitorMedia } from "../src/features/media/media.repository.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, PUBLIC_URL, createHarness, createSite, json, signUpOwner, startVisitor } from "./support/harness.js";
import { heic, jpeg, png, wav, webm, webp } from "./support/media-bytes.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
interface Created {
  upload: { id: string; kind: string; status: string };
  target: { method: string; url: string; headers?: Record<string, string>; fields?: Record<string, string> };
  expiresAt: string;
}
interface View {
  id: string;
  kind: string;
  status: string;
  mediaType: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  url: string | null;
  prompt: string | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(DIALECTS)("visitors' uploads with the local file store (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;
  let plainSite: Awaited<ReturnType<typeof createSite>>;
  let clock = Date.now();

  beforeAll(async () => {
    h = await createHarness(dialect);
    h.deps.now = () => clock;
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie);
    plainSite = await createSite(h, cookie, { name: "No media" });
    const res = await h.request(`/api/sites/${site.id}`, {
      ...json({ media: { imageInput: true, voiceInput: true } }, { cookie }),
      method: "PATCH",
    });
    expect(res.status).toBe(200);
  });
  afterAll(() => h.close());

  const create = (visitor: Visitor, body: unknown, conversationId = visitor.conversationId) =>
    h.request(`/v1/conversations/${conversationId}/uploads`, json(body, visitor.headers));
  const put = (visitor: Visitor, url: string, bytes: Uint8Array, contentType = "application/octet-stream") =>
    h.request(url, { method: "PUT", body: bytes as Uint8Array<ArrayBuffer>, headers: { ...visitor.headers, "content-type": contentType } });
  const complete = (visitor: Visitor, id: string) => h.request(`/v1/uploads/${id}/complete`, { method: "POST", headers: visitor.headers });
  const row = (id: string) => h.deps.db.selectFrom("media").selectAll().where("id", "=", id).executeTakeFirst();
  const stored = (id: string) => h.deps.files.get(`media/${site.id}/${id}`);

  /** Creates and sends the bytes; answers the upload's id (not yet completed). */
  async function send(
    visitor: Visitor,
    kind: "image" | "audio",
    mediaType: string,
    bytes: Uint8Array,
    size = bytes.length,
  ): Promise<string> {
    const res = await create(visitor, { kind, mediaType, size });
    expect(res.status).toBe(201);
    const { upload, target } = (await res.json()) as Created;
    expect((await put(visitor, target.url, bytes, mediaType)).status).toBe(204);
    return upload.id;
  }

  it("takes a picture: create → PUT → complete gives a ready row with the sniffed type and size, and a signed link serving it", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const file = png(640, 480);
    const res = await create(visitor, { kind: "image", mediaType: "image/png", size: file.length });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Created;
    const id = created.upload.id;
    expect(created.upload).toEqual({ id, kind: "image", status: "pending" });
    expect(created.target).toEqual({
      method: "PUT",
      url: `${PUBLIC_URL}/v1/uploads/${id}/content`,
      headers: { "content-type": "image/png" },
    });
    expect(Date.parse(created.expiresAt)).toBe(clock + 10 * 60_000);
    expect(await row(id)).toMatchObject({
      status: "pending",
      site_id: site.id,
      visitor_id: visitor.visitorId,
      conversation_id: visitor.conversationId,
    });
    expect(Number((await row(id))!.expires_at)).toBe(clock + HOUR);

    const early = await complete(visitor, id);
    await expectError(early, 409, "upload_incomplete");
    expect(await row(id)).toBeDefined();

    expect((await put(visitor, created.target.url, file, "image/png")).status).toBe(204);
    const done = await complete(visitor, id);
    expect(done.status).toBe(200);
    const { upload } = (await done.json()) as { upload: View };
    expect(upload).toMatchObject({
      id,
      kind: "image",
      status: "ready",
      mediaType: "image/png",
      width: 640,
      height: 480,
      durationMs: null,
      prompt: null,
    });
    expect(upload.url).toMatch(new RegExp(`^${PUBLIC_URL}/v1/media/${id}\\?e=\\d+&s=[\\w-]+$`));
    const stored = (await row(id))!;
    expect(stored).toMatchObject({ status: "ready", media_type: "image/png", size_bytes: file.length, width: 640, height: 480 });
    expect(Number(stored.expires_at)).toBe(Number(stored.created_at) + 30 * DAY);

    const served = await h.request(upload.url!);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(file)).toBe(true);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(served.headers.get("cache-control")).toBe("private, max-age=900");

    // Completing again answers the same ready upload; its bytes can no longer change.
    expect(((await (await complete(visitor, id)).json()) as { upload: View }).upload.status).toBe("ready");
    await expectError(await put(visitor, created.target.url, png(2, 2), "image/png"), 409, "upload_not_ready");
    expect(Buffer.from((await h.deps.files.get(`media/${site.id}/${id}`))!).equals(file)).toBe(true);
  });

  it("takes JPEG, WebP and recordings (WebM with codec parameters, WAV), measuring each", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const cases = [
      { kind: "image", mediaType: "image/jpeg", bytes: jpeg(1200, 900), expected: { mediaType: "image/jpeg", width: 1200, height: 900 } },
      {
        kind: "image",
        mediaType: "image/webp",
        bytes: webp(300, 200, "VP8X"),
        expected: { mediaType: "image/webp", width: 300, height: 200 },
      },
      {
        kind: "audio",
        mediaType: "audio/webm;codecs=opus",
        bytes: webm(3000),
        expected: { mediaType: "audio/webm", durationMs: 2980, width: null },
      },
      { kind: "audio", mediaType: "audio/wav", bytes: wav(1200, { tone: true }), expected: { mediaType: "audio/wav", durationMs: 1200 } },
    ] as const;
    for (const c of cases) {
      const id = await send(visitor, c.kind, c.mediaType, c.bytes);
      const res = await complete(visitor, id);
      expect(res.status, c.mediaType).toBe(200);
      expect(((await res.json()) as { upload: View }).upload, c.mediaType).toMatchObject({ status: "ready", kind: c.kind, ...c.expected });
    }
  });

  it("answers 404 for an altered, foreign, expired or missing link as for a link to nothing", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const id = await send(visitor, "image", "image/png", png(8, 8));
    const { upload } = (await (await complete(visitor, id)).json()) as { upload: View };
    const url = new URL(upload.url!);
    const s = url.searchParams.get("s")!;
    const e = url.searchParams.get("e")!;
    const link = (mediaId: string, expiry: string, sig: string) => h.request(`/v1/media/${mediaId}?e=${expiry}&s=${sig}`);
    expect((await link(id, e, s)).status).toBe(200);
    await expectError(await link(id, e, `${s.slice(0, -2)}${s.endsWith("AA") ? "BB" : "AA"}`), 404, "not_found");
    await expectError(await link(id, String(Number(e) + 60), s), 404, "not_found");
    const other = await send(visitor, "image", "image/png", png(9, 9));
    await complete(visitor, other);
    await expectError(await link(other, e, s), 404, "not_found");
    await expectError(await h.request(`/v1/media/${id}`), 404, "not_found");
    await expectError(await h.request(`/v1/media/${id}?e=${e}`), 404, "not_found");
    // A genuine link to no row
    await expectError(await h.request(localMediaUrl(h.deps, "med_doesnotexist")), 404, "not_found");
    // 15 minutes later the link is dead
    const saved = clock;
    clock += 15 * 60_000 + 1000;
    try {
      await expectError(await link(id, e, s), 404, "not_found");
    } finally {
      clock = saved;
    }
  });

  it("refuses what the site does not take (403 media_disabled) and types and sizes it never takes", async () => {
    const stranger = await startVisitor(h, plainSite.siteKey);
    await expectError(await create(stranger, { kind: "image", mediaType: "image/png", size: 100 }), 403, "media_disabled");
    await expectError(await create(stranger, { kind: "audio", mediaType: "audio/webm", size: 100 }), 403, "media_disabled");

    const visitor = await startVisitor(h, site.siteKey);
    const heicRefusal = await expectError(
      await create(visitor, { kind: "image", mediaType: "image/heic", size: 100 }),
      415,
      "unsupported_media",
    );
    expect(heicRefusal.error.message).toMatch(/JPEG/);
    await expectError(await create(visitor, { kind: "image", mediaType: "image/gif", size: 100 }), 415, "unsupported_media");
    await expectError(await create(visitor, { kind: "audio", mediaType: "audio/mpeg", size: 100 }), 415, "unsupported_media");
    await expectError(
      await create(visitor, { kind: "image", mediaType: "image/png", size: 10 * 1024 * 1024 + 1 }),
      413,
      "payload_too_large",
    );
    await expectError(
      await create(visitor, { kind: "audio", mediaType: "audio/ogg", size: 2 * 1024 * 1024 + 1 }),
      413,
      "payload_too_large",
    );
    await expectError(await create(visitor, { kind: "image", mediaType: 'image/png"\r\nx: y', size: 10 }), 400, "invalid_body");
    const count = await h.deps.db
      .selectFrom("media")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("visitor_id", "=", visitor.visitorId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it("checks the bytes on complete, deleting a refused upload's bytes and row", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const refusals: Array<[kind: "image" | "audio", declared: string, bytes: Uint8Array, status: number, code: string]> = [
      ["image", "image/jpeg", heic(), 415, "unsupported_media"],
      ["image", "image/jpeg", png(10, 10), 400, "media_mismatch"],
      ["image", "image/png", Buffer.from("just some text, not a picture"), 400, "media_mismatch"],
      ["image", "image/png", png(100_000, 100_000, { pixels: false }), 400, "image_too_large"],
      ["audio", "audio/wav", wav(100), 400, "recording_empty"],
      ["audio", "audio/webm", webm(0), 400, "recording_empty"],
      ["audio", "audio/wav", wav(61_000), 400, "recording_too_long"],
      ["audio", "audio/webm", wav(2000), 400, "media_mismatch"],
      ["audio", "audio/mp4", heic(), 400, "media_mismatch"],
    ];
    for (const [kind, declared, bytes, status, code] of refusals) {
      const id = await send(visitor, kind, declared, bytes);
      expect(await stored(id), code).not.toBeNull();
      await expectError(await complete(visitor, id), status, code);
      expect(await row(id), code).toBeUndefined();
      expect(await stored(id), code).toBeNull();
      // and it is gone for good: a second complete finds nothing
      await expectError(await complete(visitor, id), 404, "not_found");
    }
  });

  it("reads at most the declared size: a larger PUT is 413 and nothing is stored", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const file = png(50, 50);
    const res = await create(visitor, { kind: "image", mediaType: "image/png", size: file.length - 1 });
    const { upload, target } = (await res.json()) as Created;
    await expectError(await put(visitor, target.url, file, "image/png"), 413, "payload_too_large");
    // streamed without a Content-Length, too
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(file.subarray(0, 100));
        c.enqueue(file.subarray(100));
        c.close();
      },
    });
    const streamed = await h.request(target.url, { method: "PUT", body: stream, headers: visitor.headers, duplex: "half" } as RequestInit);
    await expectError(streamed, 413, "payload_too_large");
    expect(await stored(upload.id)).toBeNull();
    await expectError(await complete(visitor, upload.id), 409, "upload_incomplete");
  });

  it("allows 20 uploads a minute per visitor", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const minute = clock - (clock % 60_000) + 60_000;
    const saved = clock;
    clock = minute + 1000;
    try {
      for (let i = 0; i < 20; i++) expect((await create(visitor, { kind: "image", mediaType: "image/png", size: 100 })).status).toBe(201);
      await expectError(await create(visitor, { kind: "image", mediaType: "image/png", size: 100 }), 429, "rate_limited");
      // another visitor is not held back
      const other = await startVisitor(h, site.siteKey);
      expect((await create(other, { kind: "image", mediaType: "image/png", size: 100 })).status).toBe(201);
      clock = minute + 61_000;
      expect((await create(visitor, { kind: "image", mediaType: "image/png", size: 100 })).status).toBe(201);
    } finally {
      clock = saved;
    }
  });

  it("finds an upload only for its own visitor and conversation: any other is 404 on every route", async () => {
    const owner = await startVisitor(h, site.siteKey);
    const sameSite = await startVisitor(h, site.siteKey);
    const otherSite = await createSite(h, cookie, { name: "Other shop" });
    await h.request(`/api/sites/${otherSite.id}`, { ...json({ media: { imageInput: true } }, { cookie }), method: "PATCH" });
    const foreigner = await startVisitor(h, otherSite.siteKey);
    const file = png(20, 20);
    const res = await create(owner, { kind: "image", mediaType: "image/png", size: file.length });
    const { upload, target } = (await res.json()) as Created;
    for (const stranger of [sameSite, foreigner]) {
      await expectError(await put(stranger, target.url, file, "image/png"), 404, "not_found");
      await expectError(await complete(stranger, upload.id), 404, "not_found");
      // nor can they create an upload in the owner's conversation
      await expectError(
        await create(stranger, { kind: "image", mediaType: "image/png", size: 10 }, owner.conversationId),
        404,
        "not_found",
      );
    }
    expect(await stored(upload.id)).toBeNull();
    expect((await put(owner, target.url, file, "image/png")).status).toBe(204);
    expect((await complete(owner, upload.id)).status).toBe(200);
    for (const stranger of [sameSite, foreigner]) await expectError(await complete(stranger, upload.id), 404, "not_found");

    // Another conversation of the same visitor does not see it either (what attachments and transcriptions look it up by).
    const conv = await h.request("/v1/conversations", { method: "POST", headers: owner.headers });
    const { conversation } = (await conv.json()) as { conversation: { id: string } };
    const scope = { siteId: site.id, visitorId: owner.visitorId };
    expect(await findVisitorMedia(h.deps.db, { ...scope, conversationId: conversation.id }, upload.id)).toBeUndefined();
    expect(await findVisitorMedia(h.deps.db, { ...scope, conversationId: owner.conversationId }, upload.id)).toMatchObject({
      status: "ready",
    });
  });

  it("prunes uploads never completed after an hour and the rest after the retention, rows and files", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const pending = await send(visitor, "image", "image/png", png(5, 5));
    const ready = await send(visitor, "image", "image/png", png(6, 6));
    expect((await complete(visitor, ready)).status).toBe(200);
    await pruneExpiredMedia(h.deps, clock + HOUR - 1);
    expect(await row(pending)).toBeDefined();
    await pruneExpiredMedia(h.deps, clock + HOUR + 1);
    expect(await row(pending)).toBeUndefined();
    expect(await stored(pending)).toBeNull();
    expect(await row(ready)).toBeDefined();
    expect(await stored(ready)).not.toBeNull();
    await pruneExpiredMedia(h.deps, clock + 30 * DAY + 1);
    expect(await row(ready)).toBeUndefined();
    expect(await stored(ready)).toBeNull();
  });

  it("deletes a site's media, rows and files, with the site, and only that site's", async () => {
    const doomed = await createSite(h, cookie, { name: "Doomed" });
    await h.request(`/api/sites/${doomed.id}`, { ...json({ media: { imageInput: true } }, { cookie }), method: "PATCH" });
    const visitor = await startVisitor(h, doomed.siteKey);
    const res = await create(visitor, { kind: "image", mediaType: "image/png", size: 200 });
    const { upload, target } = (await res.json()) as Created;
    expect((await put(visitor, target.url, png(3, 3), "image/png")).status).toBe(204);
    const survivor = await startVisitor(h, site.siteKey);
    const kept = await send(survivor, "image", "image/png", png(4, 4));
    expect(await h.deps.files.list(`media/${doomed.id}`)).toEqual([`media/${doomed.id}/${upload.id}`]);
    const deleted = await h.request(`/api/sites/${doomed.id}`, { method: "DELETE", headers: { cookie } });
    expect(deleted.status).toBe(204);
    expect(await h.deps.files.list(`media/${doomed.id}`)).toEqual([]);
    expect(await row(upload.id)).toBeUndefined();
    expect(await row(kept)).toBeDefined();
    expect(await stored(kept)).not.toBeNull();
  });
});
