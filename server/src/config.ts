import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * Every environment variable the server reads, parsed once. No other module touches
 * `process.env`: main.ts passes the frozen result down through createApp's deps.
 */

const DEFAULT_DASHSCOPE_BASE_URL = "https://dashscope.aliyuncs.com/compatible-mode/v1";

// "" counts as unset: deploy tools and .env files often export empty variables.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

/**
 * WIDGET_URL: where pages load widget.js from when a CDN serves it (the install snippet's src).
 * https pages block an http script as mixed content, so https only (http for a local try-out);
 * the loader finds its chunk relative to this URL, so it is the .js file itself.
 */
const WidgetUrl = z.string().superRefine((value, ctx) => {
  const example = "e.g. https://cdn.example.com/widget/widget.js";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ctx.addIssue({ code: "custom", message: `must be the absolute URL of widget.js, ${example}` });
  }
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    ctx.addIssue({ code: "custom", message: `must start with https:// (http:// only for localhost or 127.0.0.1), ${example}` });
  } else if (url.username || url.password || url.search || url.hash || !url.pathname.endsWith(".js")) {
    ctx.addIssue({ code: "custom", message: `must be the URL of the .js file itself, with no query, fragment or credentials, ${example}` });
  }
});

/**
 * FILE_STORAGE_URL: where owners' originals (knowledge files) are kept. Unset: a folder under
 * DATA_DIR. OSS: oss://BUCKET.ENDPOINT/PREFIX, e.g.
 * oss://my-bucket.oss-cn-hangzhou-internal.aliyuncs.com/bailian (the -internal endpoint from
 * Function Compute in the same region); credentials are the function role's (ALIBABA_CLOUD_*).
 */
const FileStorageUrl = z.string().transform((value, ctx) => {
  const example = "e.g. oss://my-bucket.oss-cn-hangzhou-internal.aliyuncs.com/bailian, or a folder such as /mnt/files";
  if (!value.startsWith("oss://")) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith("file://")) {
      ctx.addIssue({ code: "custom", message: `must be oss://… or a folder, ${example}` });
      return z.NEVER;
    }
    return { kind: "local" as const, dir: value.startsWith("file://") ? fileURLToPath(value) : value };
  }
  const url = new URL(value);
  const host = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.((oss-([a-z0-9-]+?))(-internal)?\.aliyuncs\.com)$/.exec(url.hostname);
  if (!host || url.username || url.password || url.search || url.hash) {
    ctx.addIssue({ code: "custom", message: `must name the bucket and its endpoint, ${example}` });
    return z.NEVER;
  }
  return {
    kind: "oss" as const,
    bucket: host[1],
    endpoint: host[2],
    region: host[3],
    prefix: url.pathname.replace(/^\/+|\/+$/g, ""),
  };
});

const EnvSchema = z.object({
  DATABASE_URL: optional(z.string().refine((v) => /^(mysql|sqlite):/.test(v), "must start with mysql:// or sqlite:")),
  DATABASE_POOL_SIZE: optional(z.coerce.number().int().min(1).max(500)),
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/ })),
  DASHSCOPE_API_KEY: optional(z.string().min(8)),
  DASHSCOPE_BASE_URL: optional(z.url({ protocol: /^https?$/ })),
  APP_SECRET: optional(z.string()),
  APP_SECRET_PREVIOUS: optional(z.string()),
  PORT: optional(z.coerce.number().int().min(0).max(65535)),
  // Function Compute tells a custom runtime its port here (platform.md §1.5).
  FC_CUSTOM_LISTEN_PORT: optional(z.coerce.number().int().min(1).max(65535)),
  HOST: optional(z.string()),
  PUBLIC_URL: optional(z.url({ protocol: /^https?$/ })),
  LLM_TIMEOUT_MS: optional(z.coerce.number().int().min(1000).max(600_000)),
  ANSWER_LEASE_MS: optional(z.coerce.number().int().min(1000).max(600_000)),
  // How long one live event stream is held before it ends and the client reconnects (FC bills open streams).
  LIVE_STREAM_MS: optional(z.coerce.number().int().min(1000).max(600_000)),
  DATA_DIR: optional(z.string()),
  WIDGET_DIR: optional(z.string()),
  DASHBOARD_DIR: optional(z.string()),
  WIDGET_URL: optional(WidgetUrl),
  BAILIAN_DEMO: optional(z.enum(["0", "1"])),
  // How many proxies the server runs behind (0: none; Function Compute's front is 1).
  TRUST_PROXY: optional(
    z
      .string()
      .regex(
        /^\d{1,2}$/,
        "must be the number of proxies in front of the server: 0 (none), 1 (Function Compute's front), 2 (a CDN before it), …",
      )
      .transform(Number)
      .pipe(z.number().max(10, "more than 10 proxies in front of the server is surely a mistake")),
  ),
  PLATFORM_MONTHLY_TOKENS: optional(z.coerce.number().int().min(1)),
  // smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (TLS from the start, DirectMail's 465).
  SMTP_URL: optional(z.url({ protocol: /^smtps?$/ })),
  // "Bailian Chat <noreply@example.com>" or a bare address; DirectMail wants the SMTP user's address.
  MAIL_FROM: optional(
    z
      .string()
      .max(320)
      .regex(/^[^\r\n]*@[^\r\n]*$/, "must be an address, e.g. Bailian Chat <noreply@example.com>"),
  ),
  // Hosting for strangers (features/operator, features/plans): who operates, what new owners get, who may sign up.
  OPERATOR_EMAILS: optional(z.string()),
  DEFAULT_PLAN: optional(z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, "must be a plan id such as free or unlimited")),
  SIGNUP_MODE: optional(z.enum(["open", "invite", "closed"])),
  // Knowledge (features/knowledge, files/, jobs/, outbound/).
  FILE_STORAGE_URL: optional(FileStorageUrl),
  // Pictures and voice (features/uploads, docs/media.md): how long visitors' photos, recordings and
  // drawings are kept, and the bucket's public (or custom-domain) origin that browsers upload to
  // and read signed links from; FILE_STORAGE_URL names the internal endpoint the server uses.
  MEDIA_RETENTION_DAYS: optional(z.coerce.number().int().min(1).max(3650)),
  FILE_PUBLIC_URL: optional(z.url({ protocol: /^https?$/ })),
  // Function Compute's role credentials (system variables; platform-next.md §2a), used for OSS.
  ALIBABA_CLOUD_ACCESS_KEY_ID: optional(z.string()),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optional(z.string()),
  ALIBABA_CLOUD_SECURITY_TOKEN: optional(z.string()),
  // host:port pairs an owner's URLs may reach although they resolve to private addresses (tests, intranets).
  FETCH_ALLOW_HOSTS: optional(
    z
      .string()
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, "must be host:port pairs separated by commas, e.g. wiki.corp:443"),
  ),
  // The FC timer trigger's payload must carry this to run jobs through POST /invoke.
  INVOKE_SECRET: optional(z.string()),
  // Native DashScope API (Bailian applications): DASHSCOPE_BASE_URL's origin + /api/v1 unless set.
  DASHSCOPE_NATIVE_BASE_URL: optional(z.url({ protocol: /^https?$/ })),
  // `npm run demo` only: the shop page's port and the DashScope fake's (0: any free port).
  DEMO_SITE_PORT: optional(z.coerce.number().int().min(0).max(65535)),
  DEMO_FAKE_PORT: optional(z.coerce.number().int().min(0).max(65535)),
});

/** The name of every environment variable the server reads (s.yaml may set only these; a test checks it). */
export const ENV_VARS: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));

/**
 * `true` only inside dist/server/server.mjs: build.mjs defines it. The bundle is the Function
 * Compute code directory, with the built widget and dashboard beside it (dist/server/widget,
 * dist/server/dashboard), wherever it is started from. From the sources (`npm run demo`, `npm
 * start`, the tests) they are dist/widget and dist/dashboard under the working directory.
 */
declare const __BAILIAN_BUNDLE__: boolean | undefined;
export const BUNDLED = typeof __BAILIAN_BUNDLE__ !== "undefined" && __BAILIAN_BUNDLE__;

function defaultStaticDir(name: "widget" | "dashboard"): string {
  return BUNDLED ? fileURLToPath(new URL(name, import.meta.url)) : `dist/${name}`;
}

export interface Config {
  /** mysql://… or sqlite:/path/file.sqlite */
  databaseUrl: string;
  /** MySQL connections one instance keeps at most (database.ts MYSQL_DEFAULTS.connections) */
  databasePoolSize?: number;
  redisUrl?: string;
  /** nativeBaseUrl: the native API (…/api/v1), where Bailian applications are called */
  dashscope: { apiKey?: string; baseUrl: string; nativeBaseUrl: string; timeoutMs: number };
  /**
   * An answer still marked streaming whose instance has not checkpointed it for this long is
   * taken as cut off (the instance was killed or frozen) and stored as partial.
   */
  answerLeaseMs: number;
  /** how long a live event stream (GET …/events) is held before it ends and the client reconnects */
  liveStreamMs: number;
  /** Newest first; the first signs, all verify (rotation). */
  appSecrets: string[];
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  /** the built widget (dist/widget; in the bundle, widget/ beside it), served at /widget.js for self-hosting and the demo */
  widgetDir: string;
  /**
   * The public URL of widget.js when a CDN serves it (WIDGET_URL); null: pages load it from this
   * server's /widget.js. Only the dashboard's install snippet uses it.
   */
  widgetUrl: string | null;
  /** the built dashboard (dist/dashboard; in the bundle, dashboard/ beside it), served at /dashboard */
  dashboardDir: string;
  demo: boolean;
  /** `npm run demo`: the shop page's port and the DashScope fake's (0: any free port) */
  demoPorts: { site: number; fake: number };
  /**
   * How many proxies the server runs behind (TRUST_PROXY; 0: none). The client's address is the
   * X-Forwarded-For entry this many places from the right (http/client-ip.ts), and Function
   * Compute's x-fc-request-id is taken as the request id only when it is above 0.
   */
  trustProxy: number;
  /** tokens a month for every answer on the platform's DashScope key (sites without their own); null: unlimited */
  platformMonthlyTokens: number | null;
  /** owners' mail: over SMTP when smtpUrl is set, else one log line per mail (mail/mailer.ts) */
  mail: { smtpUrl: string | null; from: string };
  /** owners with these emails (lower case) are operators: /api/operator, and they may always sign up */
  operatorEmails: readonly string[];
  /** the plan of owners whose plan_id is null (every new owner) */
  defaultPlan: string;
  /** until the operator chooses one (stored in configs) */
  signupMode: "open" | "invite" | "closed";
  /** owners' originals (files/): a local folder, or an OSS bucket reached with the function role's credentials */
  files: { kind: "local"; dir: string } | { kind: "oss"; bucket: string; endpoint: string; region: string; prefix: string };
  /** visitors' media (docs/media.md): kept retentionDays; OSS: browsers reach the bucket at publicBaseUrl (null: the bucket's own public endpoint) */
  media: { retentionDays: number; publicBaseUrl: string | null };
  /** Function Compute's role credentials; null outside FC (OSS then cannot be used) */
  cloudCredentials: { accessKeyId: string; accessKeySecret: string; securityToken: string | null } | null;
  /** lower-case host:port pairs outbound fetches may reach although they resolve to private addresses */
  fetchAllowHosts: readonly string[];
  /** the secret the FC timer's payload carries to POST /invoke; null: /invoke refuses */
  invokeSecret: string | null;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A secret shorter than this, or one of a single repeated character, is refused outside the demo. */
export const MIN_SECRET_LENGTH = 32;

export function isWeakSecret(secret: string): boolean {
  return secret.length < MIN_SECRET_LENGTH || new Set(secret).size < 8;
}

/**
 * @param env the process environment (or a test's)
 * @param demoSecret in the demo, the secret kept in the data directory, to use when APP_SECRET is unset
 */
export function loadConfig(env: Record<string, string | undefined>, demoSecret?: (dataDir: string) => string): Config {
  const parsed = EnvSchema.safeParse(env);
  // Every problem at once: the invalid variables are reported, then left out so the checks below still run.
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const invalid = new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0])));
  const e = parsed.success ? parsed.data : EnvSchema.parse(Object.fromEntries(Object.entries(env).filter(([k]) => !invalid.has(k))));
  const demo = e.BAILIAN_DEMO === "1";
  const dataDir = e.DATA_DIR ?? ".data";

  const secrets: string[] = [];
  if (e.APP_SECRET) {
    if (isWeakSecret(e.APP_SECRET) && !demo) {
      problems.push(`APP_SECRET: too weak — use at least ${MIN_SECRET_LENGTH} random characters (for example: openssl rand -base64 48)`);
    }
    secrets.push(e.APP_SECRET);
  } else if (demo && demoSecret) {
    secrets.push(demoSecret(dataDir));
  } else {
    problems.push(
      "APP_SECRET: not set — it signs sessions and encrypts stored keys; set at least 32 random characters (for example: openssl rand -base64 48), or run `npm run demo` for a local try-out",
    );
  }
  for (const previous of (e.APP_SECRET_PREVIOUS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    // A previous secret verifies sessions as much as the current one does: the same bar applies.
    if (isWeakSecret(previous) && !demo) {
      problems.push(`APP_SECRET_PREVIOUS: one of the secrets is too weak — each needs at least ${MIN_SECRET_LENGTH} random characters`);
    }
    secrets.push(previous);
  }
  const mailFrom = e.MAIL_FROM ?? smtpUser(e.SMTP_URL);
  if (e.SMTP_URL && !mailFrom) {
    problems.push(
      "MAIL_FROM: required with SMTP_URL unless its user name is the sender's address (e.g. MAIL_FROM=Bailian Chat <noreply@example.com>)",
    );
  }
  if (e.FILE_STORAGE_URL?.kind === "oss" && !(e.ALIBABA_CLOUD_ACCESS_KEY_ID && e.ALIBABA_CLOUD_ACCESS_KEY_SECRET)) {
    problems.push(
      "FILE_STORAGE_URL: OSS needs credentials — on Function Compute give the function a role that may write the bucket (FC then sets ALIBABA_CLOUD_ACCESS_KEY_ID, …_SECRET and …_SECURITY_TOKEN)",
    );
  }
  if (e.INVOKE_SECRET !== undefined && isWeakSecret(e.INVOKE_SECRET) && !demo) {
    problems.push(`INVOKE_SECRET: too weak — use at least ${MIN_SECRET_LENGTH} random characters`);
  }
  if (problems.length) throw new ConfigError(problems);

  const port = e.PORT ?? e.FC_CUSTOM_LISTEN_PORT ?? 3000;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL ?? `sqlite:${dataDir}/bailian-chat.sqlite`,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    dashscope: Object.freeze({
      apiKey: e.DASHSCOPE_API_KEY,
      baseUrl: (e.DASHSCOPE_BASE_URL ?? DEFAULT_DASHSCOPE_BASE_URL).replace(/\/+$/, ""),
      nativeBaseUrl: (
        e.DASHSCOPE_NATIVE_BASE_URL ?? `${new URL(e.DASHSCOPE_BASE_URL ?? DEFAULT_DASHSCOPE_BASE_URL).origin}/api/v1`
      ).replace(/\/+$/, ""),
      timeoutMs: e.LLM_TIMEOUT_MS ?? 30_000,
    }),
    answerLeaseMs: e.ANSWER_LEASE_MS ?? 30_000,
    liveStreamMs: e.LIVE_STREAM_MS ?? 50_000,
    appSecrets: Object.freeze(secrets) as string[],
    port,
    host: e.HOST ?? "0.0.0.0",
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    dataDir,
    widgetDir: e.WIDGET_DIR ?? defaultStaticDir("widget"),
    widgetUrl: e.WIDGET_URL ? new URL(e.WIDGET_URL).href : null,
    dashboardDir: e.DASHBOARD_DIR ?? defaultStaticDir("dashboard"),
    demo,
    demoPorts: Object.freeze({ site: e.DEMO_SITE_PORT ?? 8788, fake: e.DEMO_FAKE_PORT ?? 0 }),
    trustProxy: e.TRUST_PROXY ?? 0,
    platformMonthlyTokens: e.PLATFORM_MONTHLY_TOKENS ?? null,
    mail: Object.freeze({ smtpUrl: e.SMTP_URL ?? null, from: mailFrom ?? "Bailian Chat <noreply@localhost>" }),
    operatorEmails: Object.freeze(
      (e.OPERATOR_EMAILS ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
    defaultPlan: e.DEFAULT_PLAN ?? "free",
    signupMode: e.SIGNUP_MODE ?? "open",
    files: Object.freeze(e.FILE_STORAGE_URL ?? { kind: "local" as const, dir: `${dataDir}/files` }),
    media: Object.freeze({ retentionDays: e.MEDIA_RETENTION_DAYS ?? 30, publicBaseUrl: e.FILE_PUBLIC_URL?.replace(/\/+$/, "") ?? null }),
    cloudCredentials:
      e.ALIBABA_CLOUD_ACCESS_KEY_ID && e.ALIBABA_CLOUD_ACCESS_KEY_SECRET
        ? Object.freeze({
            accessKeyId: e.ALIBABA_CLOUD_ACCESS_KEY_ID,
            accessKeySecret: e.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
            securityToken: e.ALIBABA_CLOUD_SECURITY_TOKEN ?? null,
          })
        : null,
    fetchAllowHosts: Object.freeze(
      (e.FETCH_ALLOW_HOSTS ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
    invokeSecret: e.INVOKE_SECRET ?? null,
  });
}

/** DirectMail's SMTP user is the sender's address: it is the From when MAIL_FROM is unset. */
function smtpUser(smtpUrl: string | undefined): string | undefined {
  if (!smtpUrl) return undefined;
  const user = decodeURIComponent(new URL(smtpUrl).username);
  return user.includes("@") ? user : undefined;
}
