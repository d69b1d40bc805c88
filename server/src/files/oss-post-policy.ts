import signUtils from "ali-oss/lib/common/signUtils.js";
import type { OssAccess } from "./file-store.js";
import { browserEndpoint, currentCredentials, signingClient } from "./oss-client.js";

/** What a browser sends to put one file straight into the bucket: a PostObject form, its fields in order, then `file`. */
export interface PostTarget {
  method: "POST";
  url: string;
  fields: Record<string, string>;
}

export interface PostPolicyRequest {
  /** the FileStore key the file must land at, exactly */
  key: string;
  /** the file's Content-Type, exactly */
  contentType: string;
  /** at most this many bytes (and at least one) */
  maxBytes: number;
  /** when the form stops being accepted */
  expiresAt: number;
  /** the signature's date: now */
  now: number;
}

/** OSS wants `20261207T101500Z` (ISO 8601 basic) in x-oss-date and the credential's day. */
const basicIso = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/**
 * A PostObject V4 form (OSS "PostObject" and "Signature V4 for PostObject"): a policy pinning the
 * bucket, the exact key, the size range, the Content-Type and the 204 answer, signed with the
 * V4 signing key of the role's credentials; the STS token goes along as a field and in the policy.
 */
export function postObjectTarget(access: OssAccess, publicBaseUrl: string | null, request: PostPolicyRequest): PostTarget {
  const c = currentCredentials(access);
  const date = basicIso(request.now);
  // The credential scope takes the standard region (cn-hangzhou), as ali-oss's own V4 signing does.
  const region = access.region.replace(/^oss-/, "");
  const credential = signUtils.getCredential(date.slice(0, 8), region, c.accessKeyId);
  const objectName = access.objectName(request.key);
  const signed: Record<string, string> = {
    "x-oss-signature-version": "OSS4-HMAC-SHA256",
    "x-oss-credential": credential,
    "x-oss-date": date,
    ...(c.securityToken ? { "x-oss-security-token": c.securityToken } : {}),
  };
  const policy = {
    expiration: new Date(request.expiresAt).toISOString(),
    conditions: [
      { bucket: access.bucket },
      ["eq", "$key", objectName],
      ["content-length-range", 1, request.maxBytes],
      ["eq", "$Content-Type", request.contentType],
      ["eq", "$success_action_status", "204"],
      ...Object.entries(signed).map(([k, v]) => ({ [k]: v })),
    ],
  };
  const client = signingClient(access, publicBaseUrl) as unknown as {
    signPostObjectPolicyV4(policy: object, date: Date): string;
  };
  const signature = client.signPostObjectPolicyV4(policy, new Date(request.now));
  return {
    method: "POST",
    url: `${browserEndpoint(access, publicBaseUrl).url}/`,
    fields: {
      key: objectName,
      "Content-Type": request.contentType,
      success_action_status: "204",
      policy: Buffer.from(JSON.stringify(policy), "utf8").toString("base64"),
      ...signed,
      "x-oss-signature": signature,
    },
  };
}
