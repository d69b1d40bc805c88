import { createHash, createHmac, randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small Alibaba Cloud OSS over real HTTP, for the OSS driver's contract test: PutObject,
 * GetObject, HeadObject, DeleteObject, ListObjectsV2 (with continuation) and DeleteMultipleObjects,
 * on one bucket, virtual-hosted (the Host header names the bucket, as OSS requires). Every request
 * must carry a valid V4 signature (OSS4-HMAC-SHA256, recomputed here from the documented
 * algorithm, not with ali-oss's code) by a known AccessKey, with that key's STS token.
 *
 * What browsers do too (docs/media.md "Uploads"): a PostObject form upload (V4 policy signature,
 * expiry and every condition checked as OSS does) and a V4 presigned GET (the signature in the
 * query). With `customDomain`, the fake's own address stands for a domain bound to the bucket
 * (FILE_PUBLIC_URL): requests there need no bucket in the Host.
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

export async function startOssFake(options: { bucket?: string; region?: string; customDomain?: boolean } = {}): Promise<OssFake> {
  const bucket = options.bucket ?? "bc-test-bucket";
  const region = options.region ?? "cn-hangzhou";
  const keys = new Map<string, { secret: string; token: string }>();
  const objects: OssFake["objects"] = new Map();
  const requests: OssFake["requests"] = [];
  let refusal: { status: number; code: string } | null = null;
  let ownHost = "";

  const fail = (res: ServerResponse, status: number, code: string, message: string, head = false) => {
    const requestId = randomBytes(12).toString("hex").toUpperCase();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId><HostId>${bucket}.oss-${region}.aliyuncs.com</HostId></Error>`;
    // A HEAD answer has no body: the error document comes base64-encoded in x-oss-err (ali-oss lib/client.js requestError reads it).
    const errHeader = head && status !== 404 ? { "x-oss-err": Buffer.from(xml).toString("base64") } : {};
    res.writeHead(status, { "content-type": "application/xml", "x-oss-request-id": requestId, ...errHeader });
    res.end(head ? undefined : xml);
  };

  /** The V4 signing key: HMAC-SHA256 chained over the day, region, product and "aliyun_v4_request". */
  function signingKey(secret: string, day: string): Buffer {
    let key: Buffer = createHmac("sha256", `aliyun_v4${secret}`).update(day).digest();
    for (const part of [region, "oss", "aliyun_v4_request"]) key = createHmac("sha256", key).update(part).digest();
    return key;
  }

  /** The credential scope's key and token checked; its secret, or the OSS error code and message. */
  function credentialOf(
    accessKeyId: string,
    day: string,
    signedRegion: string,
    token: unknown,
    date: string,
  ): { secret: string } | [string, string] {
    const known = keys.get(accessKeyId);
    if (!known) return ["InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."];
    if (token !== known.token) return ["InvalidSecurityToken", "The security token you provided is invalid."];
    if (signedRegion !== region) return ["SignatureDoesNotMatch", "Wrong region in the credential scope."];
    if (!date.startsWith(day)) return ["SignatureDoesNotMatch", "x-oss-date does not match the credential scope."];
    return { secret: known.secret };
  }

  /** null when the request is signed right (in its Authorization header, or presigned in its query); else the OSS error code and message. */
  function checkSignature(req: IncomingMessage, url: URL, objectName: string): [string, string] | null {
    const presigned = url.searchParams.get("x-oss-signature-version") === "OSS4-HMAC-SHA256";
    let accessKeyId: string,
      day: string,
      signedRegion: string,
      additional: string | undefined,
      signature: string,
      date: string,
      token: unknown;
    if (presigned) {
      const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/oss\/aliyun_v4_request$/.exec(url.searchParams.get("x-oss-credential") ?? "");
      if (!credential) return ["AccessDenied", "The presigned URL's credential is malformed."];
      [, accessKeyId, day, signedRegion] = credential;
      additional = url.searchParams.get("x-oss-additional-headers") ?? undefined;
      signature = url.searchParams.get("x-oss-signature") ?? "";
      date = url.searchParams.get("x-oss-date") ?? "";
      token = url.searchParams.get("x-oss-security-token") ?? undefined;
      const signedAt = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
      const expires = Number(url.searchParams.get("x-oss-expires"));
      if (!Number.isFinite(signedAt) || !(expires > 0)) return ["AccessDenied", "The presigned URL's date or expiry is malformed."];
      if (signedAt + expires * 1000 < Date.now()) return ["AccessDenied", "Request has expired."];
    } else {
      const m =
        /^OSS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/oss\/aliyun_v4_request,(?:AdditionalHeaders=([^,]*),)?Signature=([0-9a-f]{64})$/.exec(
          req.headers.authorization ?? "",
        );
      if (!m) return ["AccessDenied", "The request is not signed with OSS4-HMAC-SHA256."];
      [, accessKeyId, day, signedRegion, additional, signature] = m;
      date = String(req.headers["x-oss-date"] ?? "");
      token = req.headers["x-oss-security-token"];
    }
    const known = credentialOf(accessKeyId, day, signedRegion, token, date);
    if (Array.isArray(known)) return known;

    const query = [...url.searchParams.entries()]
      .filter(([k]) => !(presigned && k === "x-oss-signature"))
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
    const expected = createHmac("sha256", signingKey(known.secret, day)).update(stringToSign).digest("hex");
    return expected === signature
      ? null
      : ["SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."];
  }

  /**
   * PostObject with a V4 policy (OSS "PostObject", "Signature V4"): the form's policy signed with
   * the V4 signing key, not expired, and every condition met by the form and the file; `file` last.
   */
  async function postObject(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const form = await new Request("http://oss.fake/", {
      method: "POST",
      headers: { "content-type": String(req.headers["content-type"]) },
      body: new Uint8Array(body),
    }).formData();
    const names = [...form.keys()];
    const file = form.get("file");
    if (!(file instanceof Blob) || names.at(-1) !== "file")
      return fail(res, 400, "InvalidArgument", "The file must be the form's last field.");
    // Form field names are case-insensitive in OSS.
    const fields = new Map([...form.entries()].filter(([k]) => k !== "file").map(([k, v]) => [k.toLowerCase(), String(v)]));
    const policyText = fields.get("policy");
    if (!policyText || fields.get("x-oss-signature-version") !== "OSS4-HMAC-SHA256") {
      return fail(res, 403, "AccessDenied", "A V4 PostObject needs policy and x-oss-signature-version.");
    }
    const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/oss\/aliyun_v4_request$/.exec(fields.get("x-oss-credential") ?? "");
    if (!credential) return fail(res, 403, "AccessDenied", "x-oss-credential is malformed.");
    const [, accessKeyId, day, signedRegion] = credential;
    const known = credentialOf(accessKeyId, day, signedRegion, fields.get("x-oss-security-token"), fields.get("x-oss-date") ?? "");
    if (Array.isArray(known)) return fail(res, 403, known[0], known[1]);
    const expected = createHmac("sha256", signingKey(known.secret, day)).update(policyText).digest("hex");
    if (expected !== fields.get("x-oss-signature")) {
      return fail(res, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
    const policy = JSON.parse(Buffer.from(policyText, "base64").toString("utf8")) as { expiration: string; conditions: unknown[] };
    if (!(Date.parse(policy.expiration) > Date.now()))
      return fail(res, 403, "AccessDenied", "Invalid according to Policy: Policy expired.");
    const covered = new Set(["policy", "x-oss-signature"]);
    const failed = (condition: unknown) =>
      fail(res, 403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);
    for (const condition of policy.conditions) {
      if (Array.isArray(condition)) {
        const [op, a, b] = condition as [string, unknown, unknown];
        if (op === "content-length-range") {
          if (file.size < Number(a))
            return fail(res, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.");
          if (file.size > Number(b)) return fail(res, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
          continue;
        }
        const name = String(a).replace(/^\$/, "").toLowerCase();
        covered.add(name);
        const value = fields.get(name) ?? "";
        if (op === "eq" ? value !== b : op === "starts-with" ? !value.startsWith(String(b)) : true) return failed(condition);
      } else {
        for (const [k, v] of Object.entries(condition as Record<string, string>)) {
          covered.add(k.toLowerCase());
          if (k === "bucket" ? v !== bucket : fields.get(k.toLowerCase()) !== v) return failed(condition);
        }
      }
    }
    // Every field the browser sends must be one the policy speaks of: nothing rides along unsigned.
    for (const name of fields.keys()) {
      if (!covered.has(name)) return fail(res, 403, "AccessDenied", `Invalid according to Policy: Extra input fields: ${name}`);
    }
    const key = fields.get("key");
    if (!key) return fail(res, 400, "InvalidArgument", "The form has no key.");
    objects.set(key, { bytes: Buffer.from(await file.arrayBuffer()), contentType: fields.get("content-type") ?? null });
    const status = Number(fields.get("success_action_status"));
    res.writeHead([200, 201, 204].includes(status) ? status : 204);
    return res.end();
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
    if (!host.startsWith(`${bucket}.`) && !(options.customDomain && host === ownHost))
      return fail(res, 403, "SecondLevelDomainForbidden", "Use the bucket's virtual-hosted domain.", head);
    if (req.method === "POST" && !objectName && /^multipart\/form-data/i.test(String(req.headers["content-type"] ?? ""))) {
      return postObject(req, res, body);
    }
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
  ownHost = `127.0.0.1:${port}`;
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
