/**
 * Uploads the built widget (dist/widget/, from `npm run build:widget`) to Alibaba Cloud OSS.
 *
 *   npm run deploy:widget -- [--dry-run] [--dir dist/widget] [--set-cors]
 *
 * Configuration comes from the environment only, read in readEnv() below. Exit codes: 0 done,
 * 1 nothing to deploy or OSS refused, 2 bad flags or missing variables.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import OSS from "ali-oss";

export interface Upload {
  key: string;
  file: string;
  size: number;
  contentType: string;
  cacheControl: string;
}

export interface Plan {
  /** In upload order: content-hashed files first, the loader last. */
  uploads: Upload[];
  /** Relative paths left out, with the reason. */
  skipped: { path: string; reason: string }[];
}

export const LOADER = "widget.js";
// Site owners paste a fixed URL (…/widget.js) into their pages and never change it, so a release
// reaches them only when caches let go of the old loader: a few minutes, not a day.
export const LOADER_CACHE = "public, max-age=300";
// A content-hashed name changes whenever its bytes do, so a cached copy can never be stale.
export const HASHED_CACHE = "public, max-age=31536000, immutable";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "application/javascript; charset=utf-8",
  ".mjs": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};
// rollup's [hash]: 8 (or more, with [hash:n]) base64url characters after a dash, e.g. chat-Bx3_k9aQ.js.
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** "widget", "/widget/" and "widget/" all become "widget/"; OSS keys must not start with a slash. */
export function normalizePrefix(prefix = ""): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed ? `${trimmed}/` : "";
}

/**
 * Turns the build's files (paths relative to the build directory, "/"-separated) into an upload
 * plan. Pure, so a test can check it; throws on anything it cannot give a safe cache lifetime to.
 */
export function planUpload(dir: string, files: { path: string; size: number }[], prefix = ""): Plan {
  const keyPrefix = normalizePrefix(prefix);
  const hashed: Upload[] = [];
  const skipped: Plan["skipped"] = [];
  let loader: Upload | undefined;
  for (const { path, size } of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    // Source maps are not published: the build does not make them (sourceMap: false), and if it
    // ever does they would hand the unminified source to anyone; keep them for error tooling.
    if (path.endsWith(".map")) {
      skipped.push({ path, reason: "source maps are not published" });
      continue;
    }
    const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
    if (!contentType) throw new Error(`${path}: no content type known for "${extname(path)}" (add it to CONTENT_TYPES)`);
    const upload = { key: keyPrefix + path, file: join(dir, ...path.split("/")), size, contentType };
    if (path === LOADER) loader = { ...upload, cacheControl: LOADER_CACHE };
    else if (HASHED.test(path)) hashed.push({ ...upload, cacheControl: HASHED_CACHE });
    // Neither the loader nor content-hashed: a year-long cache would be wrong, a short one would
    // hide a build change; better to stop than to guess.
    else throw new Error(`${path}: neither ${LOADER} nor a content-hashed file, so no safe cache lifetime is known`);
  }
  if (!loader) throw new Error(`${dir} has no ${LOADER}: run \`npm run build:widget\` first`);
  return { uploads: [...hashed, loader], skipped };
}

/** Every file under dir, as "/"-separated relative paths with sizes. */
export function listFiles(dir: string): { path: string; size: number }[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    throw new Error(`${dir} does not exist or cannot be read: run \`npm run build:widget\` first`);
  }
  return entries
    .map((rel) => ({ rel, stat: statSync(join(dir, rel)) }))
    .filter(({ stat }) => stat.isFile())
    .map(({ rel, stat }) => ({ path: rel.split(sep).join("/"), size: stat.size }));
}

interface Env {
  region: string;
  bucket: string;
  accessKeyId: string;
  accessKeySecret: string;
  stsToken?: string;
  endpoint?: string;
  prefix: string;
}

const REQUIRED = ["OSS_REGION", "OSS_BUCKET", "OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET"] as const;

/** The one place that reads the environment. An empty value counts as unset. */
function readEnv(source: NodeJS.ProcessEnv): { env: Env; missing: string[] } {
  const get = (name: string) => source[name]?.trim() || undefined;
  const missing = REQUIRED.filter((name) => !get(name));
  const env: Env = {
    region: get("OSS_REGION") ?? "",
    bucket: get("OSS_BUCKET") ?? "",
    accessKeyId: get("OSS_ACCESS_KEY_ID") ?? "",
    accessKeySecret: get("OSS_ACCESS_KEY_SECRET") ?? "",
    stsToken: get("OSS_STS_TOKEN"),
    endpoint: get("OSS_ENDPOINT"),
    prefix: normalizePrefix(get("OSS_PREFIX")),
  };
  return { env, missing };
}

const line = (u: Upload) => `${u.key}  ${u.size} B  ${u.contentType}  ${u.cacheControl}`;

/**
 * For pages that load widget.js with `crossorigin` (or as a module): those requests need CORS. The
 * loader itself fetches its chunk with a plain <script>, which needs none.
 */
const CORS_RULE: OSS.CORSRule = { allowedOrigin: "*", allowedMethod: ["GET", "HEAD"] };

/**
 * Adds the GET/HEAD-from-anywhere rule when the bucket has no CORS rules. putBucketCORS replaces
 * every rule, so a bucket that already has some is left alone unless one of them already fits.
 */
async function ensureCors(client: OSS, bucket: string): Promise<string> {
  let rules: OSS.CORSRule[] = [];
  try {
    rules = (await client.getBucketCORS(bucket)).rules;
  } catch (err) {
    if ((err as { code?: string }).code !== "NoSuchCORSConfiguration") throw err;
  }
  const list = (v: unknown) => ([] as unknown[]).concat(v ?? []).map(String);
  const fits = rules.some((r) => list(r.allowedOrigin).includes("*") && ["GET", "HEAD"].every((m) => list(r.allowedMethod).includes(m)));
  if (fits) return "CORS: the bucket already allows GET, HEAD from *";
  if (rules.length) {
    throw new Error(
      `bucket ${bucket} has ${rules.length} CORS rule(s), none allowing GET, HEAD from *; not replacing them ` +
        "(putBucketCORS replaces every rule): add that rule in the OSS console, or run without --set-cors",
    );
  }
  await client.putBucketCORS(bucket, [CORS_RULE]);
  return "CORS: set GET, HEAD from *";
}

const USAGE = "usage: deploy-widget [--dry-run] [--dir dist/widget] [--set-cors]";

export async function main(argv: string[], source: NodeJS.ProcessEnv): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { "dry-run": { type: "boolean" }, dir: { type: "string" }, "set-cors": { type: "boolean" }, help: { type: "boolean" } },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const dryRun = args["dry-run"] ?? false;
  const dir = args.dir ?? "dist/widget";
  const { env, missing } = readEnv(source);
  if (!dryRun && missing.length) {
    console.error(`missing environment variable(s): ${missing.join(", ")} (README, "The widget on OSS and a CDN"; --dry-run needs none)`);
    return 2;
  }
  // Error texts from OSS are printed; make sure no credential ever rides along with them.
  const secrets = [env.accessKeySecret, env.stsToken].filter((s): s is string => !!s);
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join("***"), text);

  let plan: Plan;
  try {
    plan = planUpload(dir, listFiles(dir), env.prefix);
  } catch (err) {
    console.error(`nothing deployed: ${(err as Error).message}`);
    return 1;
  }
  const target = `oss://${env.bucket || "<OSS_BUCKET>"}/${env.prefix}`;
  const skips = plan.skipped.map((s) => `skipped ${s.path}: ${s.reason}`);
  if (dryRun) {
    console.log(`dry run: would upload ${plan.uploads.length} file(s) to ${target} in this order (nothing uploaded)`);
    console.log([...plan.uploads.map((u) => `  ${line(u)}`), ...skips].join("\n"));
    if (args["set-cors"]) console.log(`would make sure the bucket allows GET, HEAD from *`);
    return 0;
  }

  let client: OSS;
  try {
    client = new OSS({
      region: env.region,
      endpoint: env.endpoint,
      bucket: env.bucket,
      accessKeyId: env.accessKeyId,
      accessKeySecret: env.accessKeySecret,
      stsToken: env.stsToken,
      secure: true, // https unless OSS_ENDPOINT says http:// explicitly; ali-oss defaults to http
      timeout: 60_000,
    });
  } catch (err) {
    // ali-oss checks the bucket name and the endpoint's protocol here.
    console.error(
      redact(`bad OSS configuration (OSS_BUCKET ${env.bucket}, OSS_ENDPOINT ${env.endpoint ?? "unset"}): ${(err as Error).message}`),
    );
    return 2;
  }
  let step = "setting CORS";
  try {
    if (args["set-cors"]) console.log(await ensureCors(client, env.bucket));
    console.log(`uploading ${plan.uploads.length} file(s) to ${target}, the loader last`);
    for (const u of plan.uploads) {
      step = `uploading ${u.key}`;
      // One at a time: the loader must not go up before every chunk it may point at is there.
      await client.put(u.key, u.file, { mime: u.contentType, headers: { "Cache-Control": u.cacheControl } });
      console.log(`  ${line(u)}`);
    }
  } catch (err) {
    const e = err as { name?: string; status?: number; requestId?: string; message?: string };
    const detail = [e.name !== "Error" && e.name, (e.status ?? 0) > 0 && `HTTP ${e.status}`, e.requestId && `request id ${e.requestId}`]
      .filter(Boolean)
      .join(", ");
    const state = step.endsWith(` ${env.prefix}${LOADER}`)
      ? "the chunks are up, run again to upload the loader"
      : `${LOADER} was not uploaded, pages keep the previous release`;
    // A network error's message carries urllib's agent statistics after the first line; drop them.
    const message = (e.message ?? String(err)).split("\n")[0]!.replace(/ \(connected: .*$/, "");
    console.error(redact(`failed ${step}: ${message}${detail && ` (${detail})`}; ${state}`));
    return 1;
  }
  if (skips.length) console.log(skips.join("\n"));
  console.log(`done: purge the CDN cache of ${env.prefix}${LOADER} so the release reaches pages now, not in 5 minutes`);
  return 0;
}

// Importing the module (the test does) must not deploy anything.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
