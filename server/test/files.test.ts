import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CloudCredentials, type FileStore, FileStoreError, InvalidFileInputError, openFileStore } from "../src/files/file-store.js";
import { driverFileStore } from "../src/files/file-store.js";
import { ossDriver } from "../src/files/oss-driver.js";
import { createHarness } from "./support/harness.js";
import { type OssFake, startOssFake } from "./support/oss-fake.js";

const ROLE: CloudCredentials = {
  accessKeyId: "STS.NUfakeKeyId0001",
  accessKeySecret: "fake-role-secret-do-not-leak-9f8e7d",
  securityToken: "CAIS-fake-security-token-do-not-leak-abcdef0123456789",
};

/** Every byte value 0..255, repeated, then pseudo-random bytes: 3 MB in all. */
function binaryFile(): Uint8Array {
  const bytes = new Uint8Array(3 * 1024 * 1024 + 7);
  for (let i = 0; i < 256 * 1024; i++) bytes[i] = i % 256;
  let x = 2463534242;
  for (let i = 256 * 1024; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const text = (s: string) => new TextEncoder().encode(s);

interface Subject {
  store: FileStore;
  /** the key as the backend holds it, to show where a file really went */
  stored(key: string): Uint8Array | null;
  close(): Promise<void>;
}

const subjects: Array<[string, () => Promise<Subject>]> = [
  [
    "local folder (unstorage fs driver)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "bc-files-"));
      const store = await openFileStore({ files: { kind: "local", dir: join(dir, "files") }, cloudCredentials: null });
      return {
        store,
        stored: (key) => {
          const path = join(dir, "files", key);
          return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
        },
        close: async () => {
          await store.dispose();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    "OSS (ali-oss driver against a local OSS fake over HTTP)",
    async () => {
      const fake = await startOssFake();
      fake.grant(ROLE.accessKeyId, ROLE.accessKeySecret, ROLE.securityToken!);
      // pageSize 2: listing and bulk deletion go through several pages even with a few files.
      const driver = ossDriver({
        bucket: fake.bucket,
        endpoint: fake.url,
        region: "oss-cn-hangzhou",
        prefix: "bc",
        credentials: () => ROLE,
        pageSize: 2,
      });
      const store = driverFileStore("oss", driver);
      return {
        store,
        stored: (key) => fake.objects.get(`bc/${key}`)?.bytes ?? null,
        close: async () => {
          await store.dispose();
          await fake.close();
        },
      };
    },
  ],
];

describe.each(subjects)("FileStore contract: %s", (_name, open) => {
  let subject: Subject;
  let store: FileStore;
  beforeAll(async () => {
    subject = await open();
    store = subject.store;
  });
  afterAll(() => subject.close());

  it("keeps a few MB with every byte value exactly, where the key says", async () => {
    const bytes = binaryFile();
    await store.put("sites/s1/sources/k1/original.pdf", bytes, "application/pdf");
    const back = await store.get("sites/s1/sources/k1/original.pdf");
    expect(back).toBeInstanceOf(Uint8Array);
    expect(back!.byteLength).toBe(bytes.byteLength);
    expect(Buffer.compare(Buffer.from(back!), Buffer.from(bytes))).toBe(0);
    expect(Buffer.compare(Buffer.from(subject.stored("sites/s1/sources/k1/original.pdf")!), Buffer.from(bytes))).toBe(0);
    expect(await store.has("sites/s1/sources/k1/original.pdf")).toBe(true);
  });

  it("a view into a larger buffer stores only the view's bytes", async () => {
    const backing = text("xxxxHELLOyyyy");
    await store.put("sites/s1/view", backing.subarray(4, 9), "text/plain; charset=utf-8");
    expect(Buffer.from((await store.get("sites/s1/view"))!).toString()).toBe("HELLO");
  });

  it("overwrites: the second put wins, also when it is shorter; an empty file is a file", async () => {
    await store.put("sites/s1/doc.docx", text("the first, longer version"), "application/octet-stream");
    await store.put("sites/s1/doc.docx", text("second"), "application/octet-stream");
    expect(Buffer.from((await store.get("sites/s1/doc.docx"))!).toString()).toBe("second");
    await store.put("sites/s1/empty", new Uint8Array(0), "application/octet-stream");
    expect((await store.get("sites/s1/empty"))?.byteLength).toBe(0);
    expect(await store.has("sites/s1/empty")).toBe(true);
  });

  it("a missing key: get answers null, has false, remove does nothing", async () => {
    expect(await store.get("sites/s1/never-written")).toBeNull();
    expect(await store.has("sites/s1/never-written")).toBe(false);
    await expect(store.remove("sites/s1/never-written")).resolves.toBeUndefined();
  });

  it("remove deletes one file and leaves its neighbours", async () => {
    await store.put("sites/s2/a", text("a"), "text/plain");
    await store.put("sites/s2/b", text("b"), "text/plain");
    await store.remove("sites/s2/a");
    expect(await store.get("sites/s2/a")).toBeNull();
    expect(subject.stored("sites/s2/a")).toBeNull();
    expect(Buffer.from((await store.get("sites/s2/b"))!).toString()).toBe("b");
  });

  it("removeAll(prefix) deletes everything under it, nested too, and leaves other prefixes (also one that starts the same)", async () => {
    for (const key of ["sites/gone/1", "sites/gone/2", "sites/gone/deep/3", "sites/gone/deep/er/4", "sites/gone/5"]) {
      await store.put(key, text(key), "text/plain");
    }
    await store.put("sites/gone2/keep", text("keep"), "text/plain");
    await store.put("sites/other/keep", text("keep"), "text/plain");
    expect((await store.list("sites/gone")).sort()).toEqual([
      "sites/gone/1",
      "sites/gone/2",
      "sites/gone/5",
      "sites/gone/deep/3",
      "sites/gone/deep/er/4",
    ]);

    await store.removeAll("sites/gone");
    expect(await store.list("sites/gone")).toEqual([]);
    expect(await store.get("sites/gone/deep/er/4")).toBeNull();
    expect(subject.stored("sites/gone/1")).toBeNull();
    expect(await store.list("sites/gone2")).toEqual(["sites/gone2/keep"]);
    expect(Buffer.from((await store.get("sites/other/keep"))!).toString()).toBe("keep");
    expect(await store.has("sites/s2/b")).toBe(true);
    // a prefix with nothing under it is not an error
    await expect(store.removeAll("sites/nothing-here")).resolves.toBeUndefined();
  });

  const badKeys = [
    "",
    "../escape",
    "sites/../../etc/passwd",
    "sites/..",
    "sites/./x",
    "/absolute/path",
    "sites//double",
    "trailing/",
    ".hidden",
    "a..b",
    "back\\slash",
    "colon:key",
    "with space",
    "ünïcode",
    "new\nline",
    "x".repeat(513),
    Array.from({ length: 13 }, () => "s").join("/"),
  ];

  it.each(badKeys)("refuses the key %j for every operation, writing nothing", async (key) => {
    const refused = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ name: "InvalidFileInputError", code: "invalid_file_key" });
    await refused(store.put(key, text("x"), "text/plain"));
    await refused(store.get(key));
    await refused(store.has(key));
    await refused(store.remove(key));
    await refused(store.removeAll(key));
    await refused(store.list(key));
  });

  it("refuses a media type that could smuggle a header, and the error never echoes the key", async () => {
    const err = await store.put("sites/s3/x", text("x"), "text/plain\r\nx-oss-acl: public-read").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidFileInputError);
    expect((err as InvalidFileInputError).code).toBe("invalid_media_type");
    expect(await store.has("sites/s3/x")).toBe(false);
    const keyErr = await store.get("../secret-looking-key").catch((e: unknown) => e);
    expect((keyErr as Error).message).not.toContain("secret-looking-key");
  });
});

describe("OSS driver: signing, credentials and refusals (against the fake)", () => {
  let fake: OssFake;
  let credentials: CloudCredentials | null;
  let store: FileStore;
  beforeAll(async () => {
    fake = await startOssFake();
    fake.grant(ROLE.accessKeyId, ROLE.accessKeySecret, ROLE.securityToken!);
    credentials = ROLE;
    store = driverFileStore(
      "oss",
      ossDriver({
        bucket: fake.bucket,
        endpoint: fake.url,
        region: "oss-cn-hangzhou",
        prefix: "tenant/files",
        credentials: () => credentials,
      }),
    );
  });
  afterAll(async () => {
    await store.dispose();
    await fake.close();
  });
  afterEach(() => {
    fake.refuse(null);
    credentials = ROLE;
  });

  it("every request is virtual-hosted, V4-signed by the role's key and carries its STS token; objects sit under the prefix with their media type", async () => {
    fake.requests.length = 0;
    await store.put("sites/a/report.pdf", text("%PDF-1.7"), "application/pdf");
    await store.get("sites/a/report.pdf");
    await store.has("sites/a/report.pdf");
    await store.removeAll("sites/a");
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /tenant/files/sites/a/report.pdf",
      "GET /tenant/files/sites/a/report.pdf",
      "HEAD /tenant/files/sites/a/report.pdf",
      "GET /",
      "POST /",
    ]);
    for (const r of fake.requests) {
      expect(r.host).toBe(`${fake.bucket}.oss-cn-hangzhou.aliyuncs.com`);
      expect(r.authorization).toMatch(
        new RegExp(`^OSS4-HMAC-SHA256 Credential=${ROLE.accessKeyId}/\\d{8}/cn-hangzhou/oss/aliyun_v4_request,`),
      );
      expect(r.securityToken).toBe(ROLE.securityToken);
    }
    expect(fake.requests[3].query).toContain("prefix=tenant%2Ffiles%2Fsites%2Fa%2F");
    expect(fake.objects.size).toBe(0);
    await store.put("sites/b/x.docx", text("x"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(fake.objects.get("tenant/files/sites/b/x.docx")?.contentType).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
  });

  it("a 403 from OSS surfaces as files_unavailable (503), not retryable, with OSS's code and request id and no secret anywhere", async () => {
    fake.refuse({ status: 403, code: "AccessDenied" });
    for (const attempt of [
      store.get("sites/a/x"),
      store.put("sites/a/x", text("x"), "text/plain"),
      store.has("sites/a/x"),
      store.removeAll("sites/a"),
    ]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileStoreError);
      const e = err as FileStoreError;
      expect(e.code).toBe("files_unavailable");
      expect(e.status).toBe(503);
      expect(e.retryable).toBe(false);
      expect(e.upstream).toMatchObject({ status: 403, code: "AccessDenied" });
      expect(e.upstream.requestId).toMatch(/^[0-9A-F]{24}$/);
      const everything = JSON.stringify({ ...e, message: e.message, stack: e.stack });
      for (const secret of [ROLE.accessKeySecret, ROLE.securityToken!, ROLE.accessKeyId]) expect(everything).not.toContain(secret);
    }
    expect(fake.objects.has("tenant/files/sites/a/x")).toBe(false);
  });

  it("a 503 from OSS is retryable; an unreachable OSS is a network failure, retryable", async () => {
    fake.refuse({ status: 503, code: "ServiceUnavailable" });
    const busy = (await store.get("sites/a/x").catch((e: unknown) => e)) as FileStoreError;
    expect(busy.upstream).toMatchObject({ status: 503, code: "ServiceUnavailable" });
    expect(busy.retryable).toBe(true);

    const closed = await startOssFake();
    const url = closed.url;
    await closed.close();
    const gone = driverFileStore(
      "oss",
      ossDriver({ bucket: "bc-gone-bucket", endpoint: url, region: "oss-cn-hangzhou", prefix: "", credentials: () => ROLE }),
    );
    const err = (await gone.get("k").catch((e: unknown) => e)) as FileStoreError;
    expect(err).toBeInstanceOf(FileStoreError);
    expect(err.upstream.status).toBe(-1);
    expect(err.retryable).toBe(true);
  });

  it("the fake checks the signature: a wrong secret is SignatureDoesNotMatch, a wrong token InvalidSecurityToken", async () => {
    credentials = { ...ROLE, accessKeySecret: "not-the-secret" };
    expect(((await store.get("k").catch((e: unknown) => e)) as FileStoreError).upstream.code).toBe("SignatureDoesNotMatch");
    credentials = { ...ROLE, securityToken: "CAIS-stale" };
    expect(((await store.get("k").catch((e: unknown) => e)) as FileStoreError).upstream.code).toBe("InvalidSecurityToken");
  });

  it("credentials are read before every request: rotated ones are used at once, with no new store", async () => {
    const next: CloudCredentials = { accessKeyId: "STS.NUnextKey0002", accessKeySecret: "next-secret", securityToken: "CAIS-next-token" };
    fake.grant(next.accessKeyId, next.accessKeySecret, next.securityToken!);
    fake.revoke(ROLE.accessKeyId);
    try {
      credentials = next;
      fake.requests.length = 0;
      await store.put("sites/r/x", text("rotated"), "text/plain");
      expect(Buffer.from((await store.get("sites/r/x"))!).toString()).toBe("rotated");
      expect(
        fake.requests.every((r) => r.authorization.includes(`Credential=${next.accessKeyId}/`) && r.securityToken === next.securityToken),
      ).toBe(true);
    } finally {
      fake.grant(ROLE.accessKeyId, ROLE.accessKeySecret, ROLE.securityToken!);
    }
  });

  it("no credentials: files_unavailable with MissingCredentials, and nothing sent", async () => {
    credentials = null;
    fake.requests.length = 0;
    const err = (await store.get("k").catch((e: unknown) => e)) as FileStoreError;
    expect(err).toBeInstanceOf(FileStoreError);
    expect(err.upstream.code).toBe("MissingCredentials");
    expect(fake.requests).toEqual([]);
  });
});

describe("local folder specifics", () => {
  it("a folder that cannot be created surfaces as files_unavailable with the errno, retryable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bc-files-"));
    try {
      writeFileSync(join(dir, "not-a-folder"), "x");
      const store = await openFileStore({ files: { kind: "local", dir: join(dir, "not-a-folder") }, cloudCredentials: null });
      const err = (await store.put("sites/a/x", text("x"), "text/plain").catch((e: unknown) => e)) as FileStoreError;
      expect(err).toBeInstanceOf(FileStoreError);
      expect(err.code).toBe("files_unavailable");
      expect(err.upstream.code).toMatch(/^(ENOTDIR|EEXIST)$/);
      expect(err.retryable).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the app's deps get a local store in the test's own temporary DATA_DIR, never in the repository", async () => {
    const h = await createHarness("sqlite");
    try {
      expect(h.deps.files.kind).toBe("local");
      const dataDir = resolve(h.deps.config.dataDir);
      expect(dataDir.startsWith(resolve(tmpdir()))).toBe(true);
      await h.deps.files.put("sites/h/x", text("harness"), "text/plain");
      expect(readFileSync(join(dataDir, "files", "sites", "h", "x"), "utf8")).toBe("harness");
    } finally {
      await h.close();
    }
    expect(existsSync(resolve(h.deps.config.dataDir))).toBe(false);
  });
});
