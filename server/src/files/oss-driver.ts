import OSS from "ali-oss";
import { defineDriver } from "unstorage";
import type { CloudCredentials } from "./file-store.js";

export interface OssDriverOptions {
  bucket: string;
  /** https://oss-cn-hangzhou-internal.aliyuncs.com (the bucket goes in front: OSS is virtual-hosted only); tests: http://127.0.0.1:PORT */
  endpoint: string;
  /** oss-cn-hangzhou: V4 signatures are scoped to it */
  region: string;
  /** the objects' common prefix inside the bucket, without slashes at either end; "" for none */
  prefix: string;
  /**
   * Asked before every request. On Function Compute the role's credentials are temporary;
   * environment variables cannot change inside a running process, so whether FC's ALIBABA_CLOUD_*
   * values outlive their validity in a long-lived instance is the open question
   * (platform-next.md §2a, UNVERIFIED). Asking each time lets a fresher source (the per-request
   * x-fc-* headers, once trusted) be plugged in without touching this driver.
   */
  credentials: () => CloudCredentials | null;
  /** per request; a few tens of MB over the internal endpoint take seconds */
  timeoutMs?: number;
  /** objects per list request (OSS allows at most 1000; also the DeleteMultipleObjects batch size) */
  pageSize?: number;
}

/**
 * unstorage driver for Alibaba Cloud OSS on ali-oss: V4 signatures (OSS is retiring V1), the STS
 * token, virtual-hosted URLs. unstorage's own s3 driver cannot do this: it builds path-style URLs
 * and sends no session token (platform-next.md §3).
 */
export const ossDriver = defineDriver((options: OssDriverOptions) => {
  const root = options.prefix ? `${options.prefix}/` : "";
  const pageSize = Math.min(Math.max(options.pageSize ?? 1000, 1), 1000);
  const name = (key: string) => root + key.replace(/:/g, "/");
  let client: OSS | null = null;

  /** The client, with the credentials of this moment (ali-oss's own refreshSTSToken does the same Object.assign). */
  const oss = (): OSS => {
    const c = options.credentials();
    // ali-oss would say so with the key id in the message; this says it without.
    if (!c) throw Object.assign(new Error("no cloud credentials"), { code: "MissingCredentials" });
    const current = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, stsToken: c.securityToken ?? undefined };
    if (!client) {
      client = new OSS({
        bucket: options.bucket,
        endpoint: options.endpoint,
        region: options.region,
        secure: options.endpoint.startsWith("https:"),
        authorizationV4: true,
        timeout: options.timeoutMs ?? 120_000,
        // the token is set below: passing it here without refreshSTSToken makes ali-oss warn on stderr
        accessKeyId: current.accessKeyId,
        accessKeySecret: current.accessKeySecret,
      });
    }
    // ali-oss's typings leave out `options`; it is where every request reads its credentials from.
    Object.assign((client as unknown as { options: object }).options, current);
    return client;
  };

  const isMissing = (err: unknown) => (err as { status?: unknown }).status === 404;

  async function* objectNames(base: string): AsyncGenerator<string[]> {
    const prefix = root + base.replace(/:/g, "/");
    let token: string | undefined;
    do {
      const page = await oss().listV2({ prefix, "max-keys": String(pageSize), ...(token ? { "continuation-token": token } : {}) }, {});
      yield (page.objects ?? []).map((o) => o.name);
      token = page.isTruncated ? (page.nextContinuationToken ?? undefined) : undefined;
    } while (token);
  }

  return {
    name: "oss",
    options,
    async hasItem(key) {
      try {
        await oss().head(name(key));
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    },
    async getItemRaw(key) {
      try {
        const { content } = await oss().get(name(key));
        return content as Buffer;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async getItem(key) {
      const raw = await this.getItemRaw!(key, {});
      return raw ? (raw as Buffer).toString("utf8") : null;
    },
    async setItemRaw(key, value: Uint8Array, opts: { mediaType?: string }) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      await oss().put(name(key), bytes, { mime: opts?.mediaType ?? "application/octet-stream" });
    },
    async setItem(key, value: string) {
      await oss().put(name(key), Buffer.from(value, "utf8"), { mime: "text/plain; charset=utf-8" });
    },
    async removeItem(key) {
      await oss().delete(name(key));
    },
    async getKeys(base) {
      const keys: string[] = [];
      for await (const names of objectNames(base ?? "")) keys.push(...names.map((n) => n.slice(root.length).replace(/\//g, ":")));
      return keys;
    },
    async clear(base) {
      // Never the whole prefix by accident: file-store.ts always passes a checked, non-empty base.
      if (!base) throw new Error("refusing to clear the whole file prefix");
      // Listing and deleting a page at a time: deleting does not disturb the continuation of a listing.
      for await (const names of objectNames(base)) if (names.length) await oss().deleteMulti(names, { quiet: true });
    },
    dispose() {
      client = null;
    },
  };
});
