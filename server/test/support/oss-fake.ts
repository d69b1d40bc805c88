import { createHash, createHmac, randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small Alibaba Cloud OSS over real HTTP, for the OSS driver's contract test: PutObject,
 * GetObject, HeadObject, DeleteObject, ListObjectsV2 (with continuation) and DeleteMultipleObjects,
 * on one bucket, virtual-hosted (the Host header names the bucket, as OSS requires). Every request
 * must carry a valid V4 signature (OSS4-HMAC-SHA256, recomputed here from the documented
 * algorithm, not with ali-oss's code) by a known AccessKey, with that key's STS token.
 */
export interface OssFake {
  /** http://127.0.0.1:PORT, the driver's endpoint */
  url: string;
  bucket: string;
  region: string;
  objects: Map<string, { bytes: Buffer; contentType: string | null }>;
  requests: Array<{ method: string; path: string; query: string; host: string; authorization: string; securityToken: string | null }>;
  /** Adds (or replaces) credentials the fake accepts. */
  grant(accessKeyId: string, accessKeySecret: string, securityToken: string): void;
  revoke(accessKeyId: string): void;
  /** Every request after this answers with this OSS error until refuse(null). */
  refuse(error: { status: number; code: string } | null): void;
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const xmlUnescape = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
// RFC 3986 unreserved characters stay; everything else percent-encoded (OSS V4 "Canonical URI/Query").
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startOssFake(options: { bucket?: string; region?: string } = {}): Promise<OssFake> {
  const bucket = options.bucket ?? "bc-test-bucket";
  const region = options.region ?? "cn-hangzhou";
  const keys = new Map<string, { secret: string; token: string }>();
  const objects: OssFake["objects"] = new Map();
  const requests: OssFake["requests"] = [];
  let refusal: { status: number; code: string } | null = null;

  const fail = (res: ServerResponse, status: number, code: string, message: string, head = false) => {
    const requestId = randomBytes(12).toString("hex").toUpperCase();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId><HostId>${bucket}.oss-${region}.aliyuncs.com</HostId></Error>`;
    // A HEAD answer has no body: the error document comes base64-encoded in x-oss-err (ali-oss lib/client.js requestError reads it).
    const errHeader = head && status !== 404 ? { "x-oss-err": Buffer.from(xml).toString("base64") } : {};
    res.writeHead(status, { "content-type": "application/xml", "x-oss-request-id": requestId, ...errHeader });
    res.end(head ? undefined : xml);
  };

  /** null when the request is signed right; else the OSS error code and message. */
  function checkSignature(req: IncomingMessage, url: URL, objectName: string): [string, string] | null {
    const auth = req.headers.authorization ?? "";
    const m =
      /^OSS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/oss\/aliyun_v4_request,(?:AdditionalHeaders=([^,]*),)?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return ["AccessDenied", "The request is not signed with OSS4-HMAC-SHA256."];
    const [, accessKeyId, day, signedRegion, additional, signature] = m;
    const known = keys.get(accessKeyId);
    if (!known) return ["InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."];
    if (req.headers["x-oss-security-token"] !== known.token) return ["InvalidSecurityToken", "The security token you provided is invalid."];
    if (signedRegion !== region) return ["SignatureDoesNotMatch", "Wrong region in the credential scope."];
    const date = String(req.headers["x-oss-date"] ?? "");
    if (!date.startsWith(day)) return ["SignatureDoesNotMatch", "x-oss-date does not match the credential scope."];

    const query = [...url.searchParams.entries()]
      .map(([k, v]) => (v === "" ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`))
      .sort((a, b) => a.localeCompare(b))
      .join("&");
    const additionalHeaders = additional ? additional.split(";") : [];
    const signed = Object.keys(req.headers)
      .filter((h) => h === "content-type" || h === "content-md5" || h.startsWith("x-oss-") || additionalHeaders.includes(h))
      .sort();
    const canonicalRequest = [
      req.method,
      `/${bucket}/${uriEncode(objectName).replace(/%2F/g, "/")}`,
      query,
      signed.map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join(""),
      additionalHeaders.join(";"),
      String(req.headers["x-oss-content-sha256"] ?? "UNSIGNED-PAYLOAD"),
    ].join("\n");
    const scope = `${day}/${region}/oss/aliyun_v4_request`;
    const stringToSign = ["OSS4-HMAC-SHA256", date, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
    let key: Buffer = createHmac("sha256", `aliyun_v4${known.secret}`).update(day).digest();
    for (const part of [region, "oss", "aliyun_v4_request"]) key = createHmac("sha256", key).update(part).digest();
    const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
    return expected === signature
      ? null
      : ["SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."];
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://oss.fake");
    const host = String(req.headers.host ?? "");
    const objectName = decodeURIComponent(url.pathname.slice(1));
    const body = await read(req);
    requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query: url.search,
      host,
      authorization: String(req.headers.authorization ?? ""),
      securityToken: (req.headers["x-oss-security-token"] as string | undefined) ?? null,
    });
    const head = req.method === "HEAD";
    if (!host.startsWith(`${bucket}.`))
      return fail(res, 403, "SecondLevelDomainForbidden", "Use the bucket's virtual-hosted domain.", head);
    const refused = checkSignature(req, url, objectName);
    if (refused) return fail(res, 403, refused[0], refused[1], head);
    if (refusal) return fail(res, refusal.status, refusal.code, "Refused by the test.", head);
    const md5 = req.headers["content-md5"];
    if (md5 !== undefined && md5 !== createHash("md5").update(body).digest("base64")) {
      return fail(res, 400, "InvalidDigest", "The Content-MD5 you specified did not match what we received.");
    }

    if (objectName) {
      const found = objects.get(objectName);
      if (req.method === "PUT") {
        objects.set(objectName, { bytes: body, contentType: (req.headers["content-type"] as string | undefined) ?? null });
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex").toUpperCase()}"` });
        return res.end();
      }
      if (req.method === "GET" || head) {
        if (!found) return fail(res, 404, "NoSuchKey", "The specified key does not exist.", head);
        res.writeHead(200, { "content-type": found.contentType ?? "application/octet-stream", "content-length": found.bytes.length });
        return res.end(head ? undefined : found.bytes);
      }
      if (req.method === "DELETE") {
        objects.delete(objectName);
        res.writeHead(204);
        return res.end();
      }
    } else if (req.method === "GET" && url.searchParams.get("list-type") === "2") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const max = Number(url.searchParams.get("max-keys") ?? 100);
      const after = url.searchParams.get("continuation-token") ?? "";
      const all = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = all.slice(0, max);
      const truncated = all.length > page.length;
      res.writeHead(200, { "content-type": "application/xml" });
      return res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><MaxKeys>${max}</MaxKeys><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>` +
          (truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1])}</NextContinuationToken>` : "") +
          page.map((k) => `<Contents><Key>${xmlEscape(k)}</Key><Size>${objects.get(k)!.bytes.length}</Size></Contents>`).join("") +
          `</ListBucketResult>`,
      );
    } else if (req.method === "POST" && url.searchParams.has("delete")) {
      const names = [...body.toString("utf8").matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => xmlUnescape(m[1]));
      if (!names.length || names.length > 1000) return fail(res, 400, "MalformedXML", "1 to 1000 objects per request.");
      for (const n of names) objects.delete(n);
      res.writeHead(200, { "content-type": "application/xml" });
      return res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult></DeleteResult>`);
    }
    fail(res, 400, "NotImplemented", `The fake does not do ${req.method} ${url.pathname}${url.search}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    region,
    objects,
    requests,
    grant: (id, secret, token) => void keys.set(id, { secret, token }),
    revoke: (id) => void keys.delete(id),
    refuse: (error) => void (refusal = error),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
