import OSS from "ali-oss";
import type { CloudCredentials, OssAccess } from "./file-store.js";

/**
 * The address browsers reach the bucket at: FILE_PUBLIC_URL (a custom domain bound to the bucket;
 * OSS serves no browser content on its own domain for accounts made after 2025-03-20,
 * platform-next.md §3) or the bucket's public endpoint (the server's may be the -internal one).
 */
export function browserEndpoint(access: OssAccess, publicBaseUrl: string | null): { url: string; cname: boolean } {
  if (publicBaseUrl) return { url: publicBaseUrl, cname: true };
  const endpoint = new URL(access.endpoint);
  endpoint.hostname = `${access.bucket}.${endpoint.hostname.replace("-internal.", ".")}`;
  return { url: endpoint.origin, cname: false };
}

/** The role's credentials of this moment, or a FileStoreError-shaped refusal (no key id in the message). */
export function currentCredentials(access: OssAccess): CloudCredentials {
  const c = access.credentials();
  if (!c) throw Object.assign(new Error("no cloud credentials"), { code: "MissingCredentials" });
  return c;
}

// One signing client per store and browser address: building one per link would make a new agent each time.
const clients = new WeakMap<OssAccess, Map<string, OSS>>();

/** An ali-oss client for signing only (no request is sent), with the credentials of this moment. */
export function signingClient(access: OssAccess, publicBaseUrl: string | null): OSS {
  const c = currentCredentials(access);
  const endpoint = browserEndpoint(access, publicBaseUrl);
  let byAddress = clients.get(access);
  if (!byAddress) clients.set(access, (byAddress = new Map()));
  let client = byAddress.get(endpoint.url);
  if (!client) {
    client = new OSS({
      bucket: access.bucket,
      region: access.region,
      // With cname the bucket is the host itself; without, ali-oss puts the bucket in front of the endpoint.
      endpoint: endpoint.cname ? endpoint.url : access.endpoint.replace("-internal.", "."),
      cname: endpoint.cname,
      secure: endpoint.url.startsWith("https:"),
      authorizationV4: true,
      // the token is set below, as oss-driver.ts does: passing it here makes ali-oss warn on stderr
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
    });
    byAddress.set(endpoint.url, client);
  }
  // ali-oss's typings leave out `options`; every signature reads its credentials from there.
  Object.assign((client as unknown as { options: object }).options, {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    stsToken: c.securityToken ?? undefined,
  });
  return client;
}

/** A V4 presigned GET of `key`, valid `seconds`, on the browser's address (or DashScope's: it fetches pictures by URL). */
export async function presignedGet(access: OssAccess, publicBaseUrl: string | null, key: string, seconds: number): Promise<string> {
  return signingClient(access, publicBaseUrl).signatureUrlV4("GET", seconds, undefined, access.objectName(key));
}
