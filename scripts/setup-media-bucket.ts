/**
 * Prepares the OSS bucket that holds visitors' pictures, recordings and drawings (docs/media.md):
 * a lifecycle rule that deletes everything under the media prefix after MEDIA_RETENTION_DAYS, a
 * CORS rule that lets the widget POST uploads to it from any site and read signed links, and a
 * check that the bucket is private.
 *
 *   npm run setup:media-bucket -- [--dry-run]
 *
 * OSS replaces the whole rule list on every putBucketCORS / putBucketLifecycle, so the bucket's
 * other rules are read first and kept; only this prefix's rule is added or changed. Configuration
 * comes from the environment only (readEnv). Exit codes: 0 done, 1 OSS refused, 2 bad flags or
 * missing variables.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import OSS from "ali-oss";

export interface LifecycleRule {
  id: string;
  prefix: string;
  status: "Enabled" | "Disabled";
  expiration?: { days: number };
  abortMultipartUpload?: { days: number };
  [other: string]: unknown;
}

export interface CorsRule {
  allowedOrigin: string | string[];
  allowedMethod: string | string[];
  allowedHeader?: string | string[];
  exposeHeader?: string | string[];
  maxAgeSeconds?: string | number;
}

export interface BucketPlan {
  /** the full lifecycle list to put, or null: already right */
  lifecycle: LifecycleRule[] | null;
  /** the full CORS list to put, or null: already right */
  cors: CorsRule[] | null;
  /** what changes, in words */
  notes: string[];
}

/** The files' prefix inside the bucket: FILE_STORAGE_URL's path, then media/ (files/file-store.ts keys). */
export function mediaPrefix(storagePrefix: string): string {
  const base = storagePrefix.replace(/^\/+|\/+$/g, "");
  return base ? `${base}/media/` : "media/";
}

const list = (v: unknown) => ([] as unknown[]).concat(v ?? []).map((s) => String(s).toUpperCase());

/**
 * The rule lists to put so that the media prefix expires after `days` and browsers may upload
 * and read: pure, so a test checks it. Other rules are kept as they are.
 */
export function planBucket(existing: { lifecycle: LifecycleRule[]; cors: CorsRule[] }, prefix: string, days: number): BucketPlan {
  const notes: string[] = [];
  const id = `bailian-chat-media-${prefix.replace(/[^A-Za-z0-9-]+/g, "-").replace(/-+$/, "")}`.slice(0, 255);
  const wanted: LifecycleRule = { id, prefix, status: "Enabled", expiration: { days }, abortMultipartUpload: { days: 1 } };
  const mine = existing.lifecycle.find((r) => r.prefix === prefix);
  let lifecycle: LifecycleRule[] | null = null;
  if (!mine) {
    lifecycle = [...existing.lifecycle, wanted];
    notes.push(`lifecycle: add ${id}: delete ${prefix}* after ${days} day(s)`);
  } else if (mine.status !== "Enabled" || Number(mine.expiration?.days) !== days) {
    lifecycle = existing.lifecycle.map((r) => (r === mine ? { ...mine, status: "Enabled" as const, expiration: { days } } : r));
    notes.push(
      `lifecycle: change ${mine.id}: delete ${prefix}* after ${days} day(s) (was ${mine.expiration?.days ?? "never"}, ${mine.status})`,
    );
  } else notes.push(`lifecycle: ${prefix}* already deleted after ${days} day(s)`);

  // Uploads are POSTs of a signed form from whatever site the widget is on; reads are GETs of
  // signed links. The signature, not the origin, is what protects them.
  const needed = ["POST", "GET", "HEAD"];
  const fits = existing.cors.some(
    (r) =>
      list(r.allowedOrigin).includes("*") && needed.every((m) => list(r.allowedMethod).includes(m)) && list(r.allowedHeader).includes("*"),
  );
  let cors: CorsRule[] | null = null;
  if (fits) notes.push("CORS: browsers may already POST and GET from any origin");
  else {
    if (existing.cors.length >= 10) throw new Error("the bucket has 10 CORS rules already (OSS's limit): make room for one");
    cors = [
      ...existing.cors,
      { allowedOrigin: "*", allowedMethod: needed, allowedHeader: "*", exposeHeader: ["ETag", "x-oss-request-id"], maxAgeSeconds: 600 },
    ];
    notes.push("CORS: add POST, GET, HEAD from any origin (uploads and signed links)");
  }
  return { lifecycle, cors, notes };
}

interface Env {
  region: string;
  bucket: string;
  endpoint?: string;
  accessKeyId: string;
  accessKeySecret: string;
  stsToken?: string;
  prefix: string;
  days: number;
}

function readEnv(source: NodeJS.ProcessEnv): { env: Env; problems: string[] } {
  const problems: string[] = [];
  const need = (name: string) => {
    const value = source[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? "";
  };
  const days = Number(source.MEDIA_RETENTION_DAYS ?? "30");
  if (!Number.isInteger(days) || days < 1 || days > 3650) problems.push("MEDIA_RETENTION_DAYS must be a whole number of days, 1 to 3650");
  const env: Env = {
    region: need("OSS_REGION"),
    bucket: need("OSS_BUCKET"),
    endpoint: source.OSS_ENDPOINT || undefined,
    accessKeyId: need("OSS_ACCESS_KEY_ID"),
    accessKeySecret: need("OSS_ACCESS_KEY_SECRET"),
    stsToken: source.OSS_SECURITY_TOKEN || undefined,
    // the path of FILE_STORAGE_URL (oss://bucket.endpoint/PREFIX)
    prefix: mediaPrefix(source.FILE_STORAGE_PREFIX ?? ""),
    days,
  };
  return { env, problems };
}

const USAGE =
  "usage: setup-media-bucket [--dry-run]   (OSS_REGION, OSS_BUCKET, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, FILE_STORAGE_PREFIX, MEDIA_RETENTION_DAYS)";

export async function main(argv: string[], source: NodeJS.ProcessEnv): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { "dry-run": { type: "boolean" }, help: { type: "boolean" } } }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const { env, problems } = readEnv(source);
  if (problems.length) {
    console.error(`${problems.join("; ")}\n${USAGE}`);
    return 2;
  }
  const secrets = [env.accessKeySecret, env.stsToken].filter((s): s is string => !!s);
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join("***"), text);
  const client = new OSS({
    region: env.region,
    endpoint: env.endpoint,
    bucket: env.bucket,
    accessKeyId: env.accessKeyId,
    accessKeySecret: env.accessKeySecret,
    stsToken: env.stsToken,
    secure: true,
    timeout: 30_000,
  });
  try {
    const lifecycle = await client.getBucketLifecycle(env.bucket).then(
      (r) => (r.rules ?? []) as unknown as LifecycleRule[],
      (err: { code?: string }) => (err.code === "NoSuchLifecycle" ? [] : Promise.reject(err)),
    );
    const cors = await client.getBucketCORS(env.bucket).then(
      (r) => r.rules as unknown as CorsRule[],
      (err: { code?: string }) => (err.code === "NoSuchCORSConfiguration" ? [] : Promise.reject(err)),
    );
    const acl = (await client.getBucketACL(env.bucket)).acl;
    const plan = planBucket({ lifecycle, cors }, env.prefix, env.days);
    if (acl !== "private") plan.notes.push(`WARNING: the bucket's ACL is ${acl}; make it private (signed links are how media is read)`);
    console.log(plan.notes.join("\n"));
    if (args["dry-run"]) {
      console.log("dry run: nothing changed");
      return 0;
    }
    if (plan.lifecycle) await client.putBucketLifecycle(env.bucket, plan.lifecycle as never);
    if (plan.cors) await client.putBucketCORS(env.bucket, plan.cors as never);
    console.log("done");
    return 0;
  } catch (err) {
    const e = err as { code?: string; status?: number; message?: string };
    console.error(redact(`OSS refused: ${(e.message ?? String(err)).split("\n")[0]}${e.code ? ` (${e.code})` : ""}`));
    return 1;
  }
}

// Importing the module (the test does) must not touch any bucket.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
