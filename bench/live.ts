// `npx tsx bench/live.ts [replies]` (default 50; builds first): live delivery of a team member's
// reply (issue 13, docs/people.md "Live delivery"). A visitor asks for a person on a site with
// handoff on and keeps its stream (GET /v1/conversations/:id/events) open; the site's owner
// answers (POST /api/sites/:siteId/conversations/:id/messages) one reply at a time. Measured: from
// sending the reply to its `message` event arriving on the visitor's stream, and whether every
// reply arrived exactly once (streams end every LIVE_STREAM_MS and are resumed with Last-Event-ID,
// as the widget does, so a resume is part of what is checked).
//
// Set-ups: one process on SQLite (the reply wakes the stream in the same process); two processes
// on one database without redis (reply on A, stream on B: B's DB poller finds the reply, ≤ 2 s);
// two processes with redis pub/sub. MariaDB runs use BENCH_MYSQL_URL and redis BENCH_REDIS_URL
// (defaults: the local servers); a set-up whose service does not answer is skipped with a line.
//
// Not part of `npm run bench`: the DB poller set-ups wait a random part of the poller's second
// before each reply (so the replies fall evenly over its interval), about a minute each.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import type { ChildProcess } from "node:child_process";
import { ms, percentile, spawnUntilReady, stop, table } from "./lib.js";
import { type BenchDatabase, benchEnv, mysqlDatabase, sqliteDatabase } from "./setup.js";

const REPLIES = Number(process.argv[2] ?? 50);
const PORTS = [18_821, 18_822];
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const ORIGIN = "https://bench.example";
/** The server's DB poller interval (live/live-bus.ts LIVE_POLL_MS). */
const POLL_MS = 1_000;
/** A reply not on the stream by then counts as lost. */
const LOST_AFTER_MS = 10_000;
/** After the last reply: a stream re-reads unsettled ids for 3 s (SETTLE_MS), when a doubled event would show. */
const LINGER_MS = 4_000;

interface SetUp {
  name: string;
  processes: 1 | 2;
  redis: boolean;
  database: () => Promise<BenchDatabase | null>;
  /** why it is skipped, if it is */
  skip?: string;
}

/** Whether a redis server answers PING at `url` within 2 s. */
function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}, method = "POST") =>
  fetch(url, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

async function ok(res: Response | Promise<Response>): Promise<any> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** An owner and a site with handoff on (on `team`), a visitor who asked for a person (on `visitorBase`). */
async function handedOver(team: string, visitorBase: string) {
  const signup = await post(`${team}/api/auth/signup`, {
    email: `bench-${randomBytes(6).toString("hex")}@example.com`,
    password: "benchmark-password",
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.get("set-cookie")!.split(";")[0];
  const { site } = await ok(post(`${team}/api/sites`, { name: "Bench", allowedOrigins: [ORIGIN] }, { cookie }));
  await ok(post(`${team}/api/sites/${site.id}`, { handoff: { enabled: true } }, { cookie }, "PATCH"));
  const { token } = await ok(post(`${visitorBase}/v1/widget/${site.siteKey}/sessions`, {}, { origin: ORIGIN }));
  const visitor = { origin: ORIGIN, authorization: `Bearer ${token}` };
  const { conversation } = await ok(post(`${visitorBase}/v1/conversations`, {}, visitor));
  await ok(post(`${visitorBase}/v1/conversations/${conversation.id}/handoff`, {}, visitor));
  return {
    reply: (content: string) => ok(post(`${team}/api/sites/${site.id}/conversations/${conversation.id}/messages`, { content }, { cookie })),
    events: `${visitorBase}/v1/conversations/${conversation.id}/events`,
    visitor,
  };
}

/**
 * The visitor's stream, resumed with Last-Event-ID whenever the server ends it (LIVE_STREAM_MS),
 * as the widget does. Every `message` event's arrival time by its content.
 */
function follow(url: string, headers: Record<string, string>) {
  const arrivals = new Map<string, number[]>();
  const waiters = new Set<() => void>();
  const abort = new AbortController();
  let lastId: string | null = null;
  let resumes = -1;
  const done = (async () => {
    while (!abort.signal.aborted) {
      resumes++;
      let res: Response;
      try {
        res = await fetch(url, { headers: { ...headers, ...(lastId ? { "last-event-id": lastId } : {}) }, signal: abort.signal });
      } catch {
        if (abort.signal.aborted) return;
        throw new Error(`${url}: the stream could not be opened`);
      }
      if (!res.ok || !res.body) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let text = "";
      try {
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) break;
          const at = performance.now();
          text += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = text.indexOf("\n\n")) >= 0) {
            const block = text.slice(0, cut);
            text = text.slice(cut + 2);
            let event = "message";
            let data = "";
            for (const line of block.split("\n")) {
              if (line.startsWith("id: ")) lastId = line.slice(4);
              else if (line.startsWith("event: ")) event = line.slice(7);
              else if (line.startsWith("data: ")) data += line.slice(6);
            }
            if (event !== "message" || !data) continue;
            const content = String(JSON.parse(data).message?.content);
            arrivals.set(content, [...(arrivals.get(content) ?? []), at]);
            for (const wake of waiters) wake();
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
    }
  })();
  return {
    arrivals,
    get resumes() {
      return Math.max(0, resumes);
    },
    /** The first arrival of `content`, or null after `timeoutMs`. */
    arrival(content: string, timeoutMs: number): Promise<number | null> {
      return new Promise((resolve) => {
        const check = () => {
          const at = arrivals.get(content)?.[0];
          if (at === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(at);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(null);
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      abort.abort();
      await done;
    },
  };
}

async function measure(setUp: SetUp, database: BenchDatabase): Promise<Record<string, string | number>> {
  const children: ChildProcess[] = [];
  try {
    for (const port of PORTS.slice(0, setUp.processes)) {
      const env = {
        ...benchEnv(database.url, "http://127.0.0.1:9/compatible-mode/v1", port),
        // "" is unset: a REDIS_URL of the outer environment must not turn a DB poller run into a redis one.
        REDIS_URL: setUp.redis ? REDIS_URL : "",
        DEFAULT_PLAN: "unlimited",
      };
      // One after the other: the first migrates the database.
      children.push((await spawnUntilReady(["dist/server/server.mjs"], env, `http://127.0.0.1:${port}/health`)).child);
    }
    const [team, visitorSide] = PORTS.slice(0, setUp.processes).map((p) => `http://127.0.0.1:${p}`);
    const conversation = await handedOver(team, visitorSide ?? team);
    const stream = follow(conversation.events, conversation.visitor);
    const poller = setUp.processes === 2 && !setUp.redis;
    // Not measured: the first reply also makes the conversation human and assigns it.
    await conversation.reply("warm-up");
    if ((await stream.arrival("warm-up", LOST_AFTER_MS)) === null) throw new Error(`${setUp.name}: the warm-up reply never arrived`);

    const delays: number[] = [];
    const posts: number[] = [];
    for (let i = 0; i < REPLIES; i++) {
      // The previous event arrived just after a poll: without a pause every reply would wait the poller's whole second.
      await new Promise((r) => setTimeout(r, Math.random() * (poller ? POLL_MS : 20)));
      const content = `reply ${i} ${randomBytes(4).toString("hex")}`;
      const sent = performance.now();
      const arrived = stream.arrival(content, LOST_AFTER_MS);
      await conversation.reply(content);
      posts.push(performance.now() - sent);
      const at = await arrived;
      if (at !== null) delays.push(at - sent);
    }
    await new Promise((r) => setTimeout(r, LINGER_MS));
    await stream.close();
    const once = [...stream.arrivals].filter(([content, times]) => content.startsWith("reply ") && times.length === 1).length;
    const doubled = [...stream.arrivals].filter(([, times]) => times.length > 1).length;
    return {
      "set-up": setUp.name,
      replies: REPLIES,
      "delivery p50": ms(percentile(delays, 50)),
      "delivery p95": ms(percentile(delays, 95)),
      "delivery max": ms(Math.max(...delays)),
      "reply POST p50": ms(percentile(posts, 50)),
      "exactly once": `${once}/${REPLIES}`,
      "lost / doubled": `${REPLIES - delays.length} / ${doubled}`,
      resumes: stream.resumes,
    };
  } finally {
    await Promise.all(children.map(stop));
  }
}

const mysql = await mysqlDatabase();
const redisUp = await redisAnswers(REDIS_URL);
await mysql?.drop();
const SETUPS: SetUp[] = [
  { name: "1 process, SQLite", processes: 1, redis: false, database: async () => sqliteDatabase() },
  { name: "2 processes, SQLite file, DB poller", processes: 2, redis: false, database: async () => sqliteDatabase() },
  {
    name: "2 processes, MariaDB, DB poller",
    processes: 2,
    redis: false,
    database: mysqlDatabase,
    skip: mysql ? undefined : "MariaDB/MySQL not reachable at BENCH_MYSQL_URL",
  },
  {
    name: `2 processes, ${mysql ? "MariaDB" : "SQLite file"}, redis`,
    processes: 2,
    redis: true,
    database: async () => (mysql ? mysqlDatabase() : sqliteDatabase()),
    skip: redisUp ? undefined : `redis not reachable at ${REDIS_URL}`,
  },
];

execFileSync(process.execPath, ["build.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
console.log(`\nLive delivery: a team member's reply → its event on the visitor's stream (${REPLIES} replies a set-up, one at a time)\n`);
const rows: Array<Record<string, string | number>> = [];
for (const setUp of SETUPS) {
  if (setUp.skip) {
    console.log(`(${setUp.name}: skipped, ${setUp.skip})`);
    continue;
  }
  const database = await setUp.database();
  if (!database) throw new Error(`${setUp.name}: its database could not be created`);
  try {
    rows.push(await measure(setUp, database));
  } finally {
    await database.drop();
  }
}
console.log(`\n${table(rows)}`);
