import type { Storage } from "unstorage";
import { type Config, ConfigError } from "./config.js";
import { type Db, type DialectName, openDatabase } from "./db/database.js";
import { type FileStore, openFileStore } from "./files/file-store.js";
import { migrateToLatest } from "./db/migrate.js";
import type { ChatModel } from "./llm/chat-model.js";
import { createImageGenerator } from "./llm/image-generator.js";
import type { ImageGenerator, SpeechRecognizer, SpeechSynthesizer } from "./llm/media-models.js";
import { createSpeechRecognizer } from "./llm/speech-recognizer.js";
import { createSpeechSynthesizer } from "./llm/speech-synthesizer.js";
import { createDashScopeEmbedder } from "./llm/dashscope-embedder.js";
import type { Embedder } from "./llm/embedder.js";
import { type BailianApps, createBailianApps } from "./llm/bailian-app.js";
import { createQwenModel } from "./llm/qwen.js";
import { JobQueue } from "./jobs/job-queue.js";
import { Checkpoints } from "./features/chat/checkpoints.js";
import { INGEST_JOB, ingestHandler } from "./features/knowledge/ingest.js";
import { DELIVER_JOB, DELIVERY_POLICY, deliverHandler } from "./features/webhooks/deliver.js";
import { type Logger, jsonLogger } from "./logger.js";
import { DRAWING_FINISH_JOB, drawingFinishHandler } from "./features/drawing/drawing-job.js";
import type { DrawingTimings } from "./features/drawing/drawing-timings.js";
import { type Mailer, logMailer } from "./mail/mailer.js";
import { smtpMailer } from "./mail/smtp-mailer.js";
import { type Counters, redisCounters, sqlCounters } from "./security/counters.js";
import { Keyring } from "./security/keyring.js";
import { openStorage } from "./storage.js";
import { BackgroundTasks } from "./tasks.js";
import { type LiveBus, createLiveBus } from "./live/live-bus.js";

/** What the app is built from (createApp) and what every feature takes a part of. */
export interface AppDeps {
  config: Config;
  db: Db;
  dialect: DialectName;
  /** cache-like data (site lookups on the hot path); memory or redis */
  storage: Storage;
  llm: ChatModel;
  /** text-embedding-v4 for the knowledge base: its chunks when indexed, a question when answered */
  embedder: Embedder;
  /** sites' Bailian applications (bot setting bailianAppId), over DashScope's native API */
  apps: BailianApps;
  /** visitors' voice (docs/media.md): qwen3-asr-flash recognises a clip, CosyVoice reads an answer aloud */
  speech: { recognizer: SpeechRecognizer; synthesizer: SpeechSynthesizer };
  /** the bot's drawings: Wanx text-to-image tasks, polled, their results downloaded */
  images: ImageGenerator;
  /** atomic counters for rate limits and quotas, shared by every instance */
  counters: Counters;
  keyring: Keyring;
  logger: Logger;
  tasks: BackgroundTasks;
  /** owners' mail (verification, password reset, invitations, quota alerts) */
  mailer: Mailer;
  /** the instance's streaming answers, written to their rows once a second */
  checkpoints: Checkpoints;
  /** work that outlives a request (knowledge ingestion), leased and advanced in steps (jobs/) */
  jobs: JobQueue;
  /** owners' originals (knowledge files): a local folder, or OSS with the function role's credentials */
  files: FileStore;
  /** wakes live event streams when their site's events are written: redis pub/sub, or one DB poller per process */
  live: LiveBus;
  /** how long a drawing is waited for; tests pass shorter ones (features/drawing) */
  drawingTimings?: DrawingTimings;
  now: () => number;
}

export interface BuiltDeps extends AppDeps {
  /** Closes what buildDeps opened (storage, counters, the database). */
  dispose(): Promise<void>;
}

/** What a caller may supply instead of what the config says (tests: a memory logger, a clock). */
export type DepsOverrides = Partial<
  Pick<AppDeps, "logger" | "now" | "llm" | "embedder" | "storage" | "mailer" | "files" | "speech" | "images" | "drawingTimings">
>;

/**
 * The one way the app's dependencies are built, from the config: by main.ts (and so the demo) and
 * by the test harness, so tests run what production wires. Migrates the database first.
 */
export async function buildDeps(config: Config, overrides: DepsOverrides = {}): Promise<BuiltDeps> {
  const { db, dialect } = await openDatabase(config.databaseUrl, { connections: config.databasePoolSize }).catch((err: unknown) => {
    throw isSqliteMissing(err) ? sqliteMissingError(config.databaseUrl) : err;
  });
  await migrate(config, db, dialect);
  const tasks = new BackgroundTasks();
  const storage = overrides.storage ?? (await openStorage(config.redisUrl));
  const counters = config.redisUrl ? await redisCounters(config.redisUrl) : sqlCounters(db);
  const llm =
    overrides.llm ??
    createQwenModel({ baseUrl: config.dashscope.baseUrl, apiKey: config.dashscope.apiKey, timeoutMs: config.dashscope.timeoutMs });
  const logger = overrides.logger ?? jsonLogger();
  const { dashscope } = config;
  const files = overrides.files ?? (await openFileStore(config));
  const live = await createLiveBus({ redisUrl: config.redisUrl, db, logger, now: () => deps.now() });
  const deps: BuiltDeps = {
    config,
    db,
    dialect,
    storage,
    counters,
    llm: stoppedBy(tasks.signal, llm),
    apps: appsStoppedBy(
      tasks.signal,
      createBailianApps({ nativeBaseUrl: config.dashscope.nativeBaseUrl, timeoutMs: config.dashscope.timeoutMs }),
    ),
    embedder:
      overrides.embedder ??
      createDashScopeEmbedder({
        baseUrl: config.dashscope.baseUrl,
        apiKey: config.dashscope.apiKey,
        timeoutMs: config.dashscope.timeoutMs,
      }),
    speech: speechStoppedBy(
      tasks.signal,
      overrides.speech ?? {
        recognizer: createSpeechRecognizer({ baseUrl: dashscope.baseUrl, apiKey: dashscope.apiKey, timeoutMs: dashscope.timeoutMs }),
        synthesizer: createSpeechSynthesizer(dashscope),
      },
    ),
    images: overrides.images ?? createImageGenerator(dashscope),
    keyring: new Keyring(config.appSecrets),
    logger,
    tasks,
    mailer:
      overrides.mailer ??
      (config.mail.smtpUrl ? smtpMailer({ url: config.mail.smtpUrl, from: config.mail.from, logger }) : logMailer(logger)),
    // deps.now, not a copy: tests move the clock by replacing it.
    checkpoints: new Checkpoints(db, logger, config.answerLeaseMs, () => deps.now()),
    jobs: new JobQueue({ db, logger, now: () => deps.now() }),
    files,
    live,
    drawingTimings: overrides.drawingTimings,
    now: overrides.now ?? (() => Date.now()),
    async dispose() {
      // Steps in flight end and their jobs go back to the queue while the database is still open.
      await deps.jobs.stop();
      // Streams end (their clients reconnect elsewhere) before the database they read closes.
      await live.close();
      await deps.mailer.close();
      await storage.dispose();
      await files.dispose();
      await counters.close();
      await db.destroy();
    },
  };
  // The work features leave to the queue, known to every instance that drives it.
  deps.jobs.register(INGEST_JOB, ingestHandler(deps));
  deps.jobs.register(DELIVER_JOB, deliverHandler(deps), DELIVERY_POLICY);
  deps.jobs.register(DRAWING_FINISH_JOB, drawingFinishHandler(deps));
  return deps;
}

async function migrate(config: Config, db: Db, dialect: DialectName): Promise<void> {
  if (dialect !== "mysql") {
    await migrateToLatest(db);
    return;
  }
  // Served queries are cut after a few seconds (database.ts); a migration (an index on a big
  // table) may rightly take minutes, so it gets a connection without that bound.
  const migrator = await openDatabase(config.databaseUrl, { queryTimeoutMs: 0 });
  try {
    await migrateToLatest(migrator.db);
  } finally {
    await migrator.db.destroy();
  }
}

/** The model, cut off when `signal` aborts (a stop that can wait no longer): the caller sees an "aborted" LlmError. */
function stoppedBy(signal: AbortSignal, llm: ChatModel): ChatModel {
  return { stream: (request) => llm.stream({ ...request, signal: request.signal ? AbortSignal.any([request.signal, signal]) : signal }) };
}

/** Applications too are cut off when the stop can wait no longer. */
function appsStoppedBy(signal: AbortSignal, apps: BailianApps): BailianApps {
  return {
    streamApp: (request) => apps.streamApp({ ...request, signal: request.signal ? AbortSignal.any([request.signal, signal]) : signal }),
  };
}

/** Speech too: a recognition or a read-aloud stream still running is cut off when the stop can wait no longer. */
function speechStoppedBy(signal: AbortSignal, speech: AppDeps["speech"]): AppDeps["speech"] {
  const cut = <T extends { signal?: AbortSignal }>(request: T): T => ({
    ...request,
    signal: request.signal ? AbortSignal.any([request.signal, signal]) : signal,
  });
  return {
    recognizer: { recognize: (request) => speech.recognizer.recognize(cut(request)) },
    synthesizer: { synthesize: (request) => speech.synthesizer.synthesize(cut(request)) },
  };
}

/**
 * better-sqlite3 is a native module the bundle leaves out (build.mjs): on Function Compute, with
 * nothing installed beside dist/server, a sqlite: DATABASE_URL (or none) cannot work. Said as a
 * configuration problem, not as a module-resolution stack trace.
 */
function isSqliteMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && /better-sqlite3/.test(String((err as Error).message));
}

function sqliteMissingError(databaseUrl: string): ConfigError {
  return new ConfigError([
    `DATABASE_URL: ${databaseUrl} is a SQLite file (the default when DATABASE_URL is unset), but the better-sqlite3 package cannot be found next to the server. The bundle (dist/server) does not include it, because SQLite is only for local use. On Function Compute, set DATABASE_URL=mysql://user:password@host:3306/database (RDS MySQL); for a local SQLite file, run the server from the repository after \`npm install\`.`,
  ]);
}
