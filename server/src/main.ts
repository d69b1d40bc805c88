import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Server as HttpServer, ServerResponse } from "node:http";
import { serve } from "srvx";
import { createApp } from "./app.js";
import { ConfigError, type Config, loadConfig } from "./config.js";
import { buildDeps } from "./deps.js";
import { settleCutOffAnswers } from "./features/chat/chat.service.js";
import { EMPTY_CONVERSATION_SWEEP_MS, sweepEmptyConversations } from "./features/chat/empty-conversations.js";
import { jobTicker, JOB_TICK_MS } from "./jobs/drivers.js";
import { pruneSiteEvents } from "./live/site-events.js";
import { pruneExpiredMedia } from "./features/uploads/prune-media.js";
import { type Logger, jsonLogger } from "./logger.js";

/** The demo keeps one secret in its data directory so sessions survive restarts; production must set APP_SECRET. */
export function demoSecret(dataDir: string): string {
  const file = join(dataDir, "app-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export interface StartedServer {
  url: string;
  config: Config;
  /** Graceful stop: see start()'s shutdownGraceMs. Idempotent. */
  close(): Promise<void>;
}

/**
 * How long a stop waits for answers in flight. Function Compute gives its PreStop hook at most
 * 90 s; a visitor gives up on a silent widget much sooner.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;
/** After the grace period: time for the cut answers to be stored and their last event sent. */
const SHUTDOWN_FINISH_MS = 5_000;

export interface StartOptions {
  /**
   * On close(): the listener closes at once, then answers still streaming get this long to finish
   * and be stored; after it they are cut (stored as partial, the visitor gets an error event).
   */
  shutdownGraceMs?: number;
}

/** Builds every dependency from the config (buildDeps) and listens. */
export async function start(config: Config, logger: Logger = jsonLogger(), options: StartOptions = {}): Promise<StartedServer> {
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const deps = await buildDeps(config, { logger });
  const { dialect, tasks } = deps;
  const { app } = createApp(deps);
  /** Runs `work` at start and then every `everyMs`; a failure is logged as `failed` and tried again next time. */
  const chore = (work: () => Promise<unknown>, everyMs: number, failed: string) => {
    const run = () => void work().catch((err: unknown) => logger.error({ msg: failed, code: (err as { code?: string })?.code ?? null }));
    run();
    const timer = setInterval(run, everyMs);
    timer.unref();
    return timer;
  };
  // Answers a dead instance left streaming are settled when read, and here too: at start and then
  // once a lease. (On Function Compute a frozen instance's timer waits for its next request.)
  const settler = chore(() => settleCutOffAnswers(deps), config.answerLeaseMs, "cut-off answers not settled");
  // Conversations nobody wrote in are deleted after a day: at start, then every hour.
  const sweeper = chore(() => sweepEmptyConversations(deps), EMPTY_CONVERSATION_SWEEP_MS, "empty conversations not deleted");
  // Live events are for reconnects only: those older than a day are deleted, at start and then every hour.
  const eventPruner = chore(() => pruneSiteEvents(deps), EMPTY_CONVERSATION_SWEEP_MS, "old live events not deleted");
  // Visitors' photos and recordings past MEDIA_RETENTION_DAYS (and uploads never completed) go too, hourly.
  const mediaPruner = chore(() => pruneExpiredMedia(deps, deps.now()), EMPTY_CONVERSATION_SWEEP_MS, "expired media not deleted");
  // Queued jobs (knowledge ingestion) advance here off Function Compute; on FC this runs only while
  // requests keep the instance thawed, and the timer trigger's POST /invoke does the rest.
  const jobDriver = chore(jobTicker(deps.jobs), JOB_TICK_MS, "jobs not driven");
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
  logger.info({
    msg: "listening",
    url,
    database: dialect,
    model: config.dashscope.apiKey ? config.dashscope.baseUrl : "no DASHSCOPE_API_KEY",
  });

  // Every response still being written, so a stop can wait for the last bytes of each.
  // Plain HTTP: srvx makes an http2 server only for TLS, which Function Compute terminates for us.
  const nodeServer = server.node?.server as HttpServer | undefined;
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  let onAllAnswered: (() => void) | undefined;
  nodeServer?.on("request", (_req, res: ServerResponse) => {
    inFlight.add(res);
    // A request that still reaches us while stopping (on a kept-alive socket) is the last on it.
    if (stopping) res.shouldKeepAlive = false;
    res.once("close", () => {
      inFlight.delete(res);
      if (!stopping) return;
      // Node leaves a keep-alive socket open after its response even while closing; it would
      // hold the listener (and the process) until keepAliveTimeout and could carry a new request.
      setImmediate(() => nodeServer.closeIdleConnections());
      if (!inFlight.size) onAllAnswered?.();
    });
  });
  const allAnswered = () => new Promise<void>((resolve) => (inFlight.size ? (onAllAnswered = resolve) : resolve()));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopping = true;
      clearInterval(settler);
      clearInterval(sweeper);
      clearInterval(eventPruner);
      clearInterval(mediaPruner);
      clearInterval(jobDriver);
      // Live streams end now rather than hold the stop for the grace period: their clients
      // reconnect (with Last-Event-ID) to another instance.
      void deps.live.close();
      // Signalled now: the step in flight ends and its job goes back to the queue for another instance.
      const jobsStopped = deps.jobs.stop();
      // Stops accepting at once (new connections are refused); idle keep-alive sockets close now.
      const listenerClosed = server.close();
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      const drained = () => Promise.all([tasks.idle(graceMs + SHUTDOWN_FINISH_MS), allAnswered()]);
      // Answers in flight are read to the end, stored, and their last event reaches the visitor.
      if (!(await within(graceMs, drained()))) {
        logger.info({ msg: "shutdown grace period over: cutting answers in flight", answers: tasks.size, responses: inFlight.size });
        // The model streams are aborted; each answer task stores its text as partial and sends an error event.
        tasks.cancel();
        await within(SHUTDOWN_FINISH_MS, drained());
      }
      // Whatever is left: a client that does not read, an idle socket.
      await server.close(true);
      await listenerClosed.catch(() => {});
      await jobsStopped;
      await deps.dispose();
    })());
  return { url, config, close };
}

/** true when `work` settled within `ms`; false when the time ran out first. */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `npm start` and Function Compute: listens; on SIGTERM (or Ctrl-C) stops accepting, lets the
 * answers in flight finish within the grace period, stores them, and exits 0. A second Ctrl-C
 * or SIGTERM ends the process at once.
 */
export function main(env: Record<string, string | undefined> = process.env, options: StartOptions = {}): void {
  const logger = jsonLogger();
  Promise.resolve()
    .then(() => start(loadConfig(env, demoSecret), logger, options))
    .then(
      (started) => {
        const stop = (signal: string) => {
          const startedAt = Date.now();
          const closed = started.close(); // the listener is closed when this returns
          logger.info({ msg: "shutting down", signal });
          closed.then(
            () => {
              logger.info({ msg: "stopped", ms: Date.now() - startedAt });
              process.exit(0);
            },
            (err) => {
              logger.error({ msg: "unclean stop", error: err instanceof Error ? err.name : typeof err });
              process.exit(1);
            },
          );
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
