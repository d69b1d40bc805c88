import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "srvx";
import { createApp } from "./app.js";
import { ConfigError, type Config, loadConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { migrateToLatest } from "./db/migrate.js";
import { createQwenModel } from "./llm/qwen.js";
import { type Logger, jsonLogger } from "./logger.js";
import { redisCounters, sqlCounters } from "./security/counters.js";
import { Keyring } from "./security/keyring.js";
import { openStorage } from "./storage.js";
import { BackgroundTasks } from "./tasks.js";

/** The demo keeps one secret in .data/ so sessions survive restarts; production must set APP_SECRET. */
function demoSecret(dataDir: string): () => string {
  return () => {
    const file = join(dataDir, "app-secret");
    if (existsSync(file)) return readFileSync(file, "utf8").trim();
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString("base64url");
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  };
}

export interface StartedServer {
  url: string;
  config: Config;
  close(): Promise<void>;
}

/** Builds every dependency from the environment and listens. The only caller of loadConfig. */
export async function start(env: Record<string, string | undefined> = process.env, logger: Logger = jsonLogger()): Promise<StartedServer> {
  const config = loadConfig(env, demoSecret(env.DATA_DIR || ".data"));
  const { db, dialect } = await openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const tasks = new BackgroundTasks();
  const deps = {
    config,
    db,
    dialect,
    storage: await openStorage(config.redisUrl),
    counters: config.redisUrl ? await redisCounters(config.redisUrl) : sqlCounters(db),
    llm: createQwenModel({ baseUrl: config.dashscope.baseUrl, apiKey: config.dashscope.apiKey, timeoutMs: config.dashscope.timeoutMs }),
    keyring: new Keyring(config.appSecrets),
    logger,
    tasks,
    now: () => Date.now(),
  };
  const { app } = createApp(deps);
  const server = serve({
    fetch: app.fetch,
    port: config.port,
    hostname: config.host,
    silent: true,
    // We drain streams ourselves on SIGTERM (below), so srvx's own handler stays off.
    gracefulShutdown: false,
  });
  await server.ready();
  const url = server.url ?? `http://localhost:${config.port}/`;
  logger.info({ msg: "listening", url, database: dialect, model: config.dashscope.apiKey ? config.dashscope.baseUrl : "no DASHSCOPE_API_KEY" });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = server.close();
      // Answers in flight are read to the end and stored before the process goes.
      await tasks.idle(25_000);
      await server.close(true);
      await closed.catch(() => {});
      await deps.storage.dispose();
      await deps.counters.close();
      await db.destroy();
    })());
  return { url, config, close };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  start().then(
    (started) => {
      const stop = (signal: string) => {
        started.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
        process.stdout.write(JSON.stringify({ level: "info", msg: "shutting down", signal }) + "\n");
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    },
    (err) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(78);
      }
      process.stderr.write(`Could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
