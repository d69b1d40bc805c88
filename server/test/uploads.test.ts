import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudCredentials, driverFileStore } from "../src/files/file-store.js";
import { ossDriver } from "../src/files/oss-driver.js";
import { mediaView, mediaViews, modelImageUrl } from "../src/features/uploads/media-links.js";
import { type OssFake, startOssFake } from "./support/oss-fake.js";
import { localMediaUrl } from "../src/features/uploads/media-links.js";
import { pruneExpiredMedia } from "../src/features/uploads/prune-media.js";
import { attachMedia, findMediaById, findVisitorMedia } from "../src/features/media/media.repository.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, PUBLIC_URL, createHarness, createSite, json, signUpOwner, startVisitor } from "./support/harness.js";
import { heic, jpeg, png, wav, webm, webp } from "./support/media-bytes.js";

const ROLE: CloudCredentials = {
  accessKeyId: "STS.NUfakeUploadsKey01",
  accessKeySecret: "fake-uploads-role-secret-do-not-leak",
  securityToken: "CAIS-fake-uploads-token-do-not-leak-0123456789",
};

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

  it("gives the chat room each message's pictures (mediaViews) and the model a data: URL of the bytes (modelImageUrl)", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const file = png(12, 7);
    const first = await send(visitor, "image", "image/png", file);
    // made a moment later: oldest first
    clock += 5;
    const second = await send(visitor, "image", "image/png", png(3, 3));
    for (const id of [first, second]) expect((await complete(visitor, id)).status).toBe(200);
    expect(await attachMedia(h.deps.db, [first, second], "msg_withpictures00000", clock)).toBe(2);
    const views = await mediaViews(h.deps, ["msg_withpictures00000", "msg_withoutpictures000"]);
    expect([...views.keys()]).toEqual(["msg_withpictures00000"]);
    expect(views.get("msg_withpictures00000")!.map((v) => [v.id, v.width, v.height, v.status])).toEqual([
      [first, 12, 7, "ready"],
      [second, 3, 3, "ready"],
    ]);
    const record = (await findMediaById(h.deps.db, first))!;
    expect(await modelImageUrl(h.deps, record)).toBe(`data:image/png;base64,${file.toString("base64")}`);
    // a pending row has no link yet
    const pending = await send(visitor, "image", "image/png", png(2, 2));
    expect((await mediaView(h.deps, (await findMediaById(h.deps.db, pending))!)).url).toBeNull();
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

  it("lets the widget's page preflight the PUT (another origin, with its token and content type)", async () => {
    const res = await h.request("/v1/uploads/med_anything0000000000/content", {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(res.headers.get("access-control-allow-headers")).toContain("content-type");
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

describe.each(DIALECTS)("visitors' uploads straight to OSS (the fake, over HTTP) (%s)", (dialect) => {
  let h: Harness;
  let fake: OssFake;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    fake = await startOssFake({ customDomain: true });
    fake.grant(ROLE.accessKeyId, ROLE.accessKeySecret, ROLE.securityToken!);
    const options = { bucket: fake.bucket, endpoint: fake.url, region: "oss-cn-hangzhou", prefix: "tenant", credentials: () => ROLE };
    const files = driverFileStore("oss", ossDriver(options), options);
    h = await createHarness(dialect, { FILE_PUBLIC_URL: fake.url }, { files });
    const { cookie } = await signUpOwner(h);
    site = await createSite(h, cookie);
    await h.request(`/api/sites/${site.id}`, { ...json({ media: { imageInput: true, voiceInput: true } }, { cookie }), method: "PATCH" });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  const create = (visitor: Visitor, body: unknown) =>
    h.request(`/v1/conversations/${visitor.conversationId}/uploads`, json(body, visitor.headers));
  const complete = (visitor: Visitor, id: string) => h.request(`/v1/uploads/${id}/complete`, { method: "POST", headers: visitor.headers });

  /** What the widget does with a POST target: the fields in order, then the file last. */
  function postForm(
    target: Created["target"],
    bytes: Uint8Array,
    type: string,
    change: (fields: Record<string, string>) => void = () => {},
  ) {
    const fields = { ...target.fields! };
    change(fields);
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), "upload");
    return fetch(target.url, { method: "POST", body: form });
  }

  it("answers a PostObject target pinned to the key, size and type; the browser's form lands in the bucket, and complete reads it", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const file = jpeg(800, 600);
    const res = await create(visitor, { kind: "image", mediaType: "image/jpeg", size: file.length });
    expect(res.status).toBe(201);
    const { upload, target } = (await res.json()) as Created;
    const objectName = `tenant/media/${site.id}/${upload.id}`;
    expect(target.method).toBe("POST");
    expect(target.url).toBe(`${fake.url}/`);
    expect(Object.keys(target.fields!)).toEqual([
      "key",
      "Content-Type",
      "success_action_status",
      "policy",
      "x-oss-signature-version",
      "x-oss-credential",
      "x-oss-date",
      "x-oss-security-token",
      "x-oss-signature",
    ]);
    expect(target.fields).toMatchObject({
      key: objectName,
      "Content-Type": "image/jpeg",
      success_action_status: "204",
      "x-oss-security-token": ROLE.securityToken,
    });
    expect(target.fields!["x-oss-credential"]).toMatch(new RegExp(`^${ROLE.accessKeyId}/\\d{8}/cn-hangzhou/oss/aliyun_v4_request$`));
    const policy = JSON.parse(Buffer.from(target.fields!.policy, "base64").toString()) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: fake.bucket },
        ["eq", "$key", objectName],
        ["content-length-range", 1, file.length],
        ["eq", "$Content-Type", "image/jpeg"],
      ]),
    );
    expect(Date.parse(policy.expiration) - Date.now()).toBeGreaterThan(9 * 60_000);
    // The secret never goes to the browser.
    expect(JSON.stringify(target)).not.toContain(ROLE.accessKeySecret);

    await expectError(await complete(visitor, upload.id), 409, "upload_incomplete");
    const sent = await postForm(target, file, "image/jpeg");
    expect(sent.status).toBe(204);
    expect(fake.objects.get(objectName)?.contentType).toBe("image/jpeg");

    const done = await complete(visitor, upload.id);
    expect(done.status).toBe(200);
    const view = ((await done.json()) as { upload: View }).upload;
    expect(view).toMatchObject({ status: "ready", mediaType: "image/jpeg", width: 800, height: 600 });

    // Its url is a V4 presigned GET on FILE_PUBLIC_URL, which the bucket serves (the server holds no bytes).
    expect(view.url!.startsWith(`${fake.url}/${objectName}?`)).toBe(true);
    expect(new URL(view.url!).searchParams.get("x-oss-expires")).toBe("900");
    const got = await fetch(view.url!);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(file)).toBe(true);
    // altered, it is refused
    const altered = new URL(view.url!);
    altered.searchParams.set("x-oss-expires", "86400");
    expect((await fetch(altered)).status).toBe(403);

    // The model gets a presigned GET of 10 minutes.
    const record = (await findMediaById(h.deps.db, upload.id))!;
    const forModel = await modelImageUrl(h.deps, record);
    expect(new URL(forModel!).searchParams.get("x-oss-expires")).toBe("600");
    expect((await fetch(forModel!)).status).toBe(200);
    expect((await mediaView(h.deps, record)).url).toMatch(/x-oss-signature=/);
  });

  it("the bucket refuses a form whose key, size or type departs from the policy, or whose signature or date is off", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const file = png(30, 30);
    const { upload, target } = (await (
      await create(visitor, { kind: "image", mediaType: "image/png", size: file.length })
    ).json()) as Created;
    const other = `tenant/media/${site.id}/med_someoneelses0000000`;
    const refusals: Array<[string, Uint8Array, string, (f: Record<string, string>) => void]> = [
      ["another key", file, "image/png", (f) => void (f.key = other)],
      ["a larger file", Buffer.concat([file, Buffer.alloc(10)]), "image/png", () => {}],
      ["another type", file, "image/png", (f) => void (f["Content-Type"] = "text/html")],
      [
        "an altered policy",
        file,
        "image/png",
        (f) =>
          void (f.policy = Buffer.from(Buffer.from(f.policy, "base64").toString().replace(`${file.length}]`, "99999999]")).toString(
            "base64",
          )),
      ],
      ["another token", file, "image/png", (f) => void (f["x-oss-security-token"] = "CAIS-another")],
      ["an extra field", file, "image/png", (f) => void (f["x-oss-object-acl"] = "public-read")],
    ];
    for (const [label, bytes, type, change] of refusals) {
      const res = await postForm(target, bytes, type, change);
      expect(res.status, label).toBeGreaterThanOrEqual(400);
      expect(await res.text(), label).toMatch(/<Code>(AccessDenied|EntityTooLarge|SignatureDoesNotMatch|InvalidSecurityToken)<\/Code>/);
    }
    expect(fake.objects.has(other)).toBe(false);
    expect(fake.objects.has(`tenant/media/${site.id}/${upload.id}`)).toBe(false);
    await expectError(await complete(visitor, upload.id), 409, "upload_incomplete");
    // The local PUT target does not exist with OSS.
    await expectError(
      await h.request(`/v1/uploads/${upload.id}/content`, {
        method: "PUT",
        body: file as Uint8Array<ArrayBuffer>,
        headers: visitor.headers,
      }),
      404,
      "not_found",
    );
  });

  it("refuses what the bytes in the bucket turn out to be, deleting the object and the row", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const text = Buffer.from("<html>not a picture</html>");
    const { upload, target } = (await (
      await create(visitor, { kind: "image", mediaType: "image/png", size: text.length })
    ).json()) as Created;
    expect((await postForm(target, text, "image/png")).status).toBe(204);
    const objectName = `tenant/media/${site.id}/${upload.id}`;
    expect(fake.objects.has(objectName)).toBe(true);
    await expectError(await complete(visitor, upload.id), 400, "media_mismatch");
    expect(fake.objects.has(objectName)).toBe(false);
    expect(await h.deps.db.selectFrom("media").select("id").where("id", "=", upload.id).executeTakeFirst()).toBeUndefined();
  });
});
