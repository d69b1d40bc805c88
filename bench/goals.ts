// Issue 15's table: each figure of the streaming runs against its goal, met or missed.
import type { StreamingFigure, StreamingResult } from "./streaming.js";
import { ms, table } from "./lib.js";

const at = (result: StreamingResult | undefined, path: StreamingFigure["path"], concurrency: number) =>
  result?.figures.find((f) => f.path === path && f.concurrency === concurrency && f.mode === "steady");

/** One row: the figure, its value now, the goal, and whether it is met (a missing run says so). */
function goal(figure: string, value: number | undefined, shown: (n: number) => string, target: number | undefined, targetText: string) {
  const measured = value !== undefined && Number.isFinite(value);
  return {
    figure,
    now: measured ? shown(value) : "not run",
    goal: targetText,
    "": measured && target !== undefined ? (value <= target ? "met" : "missed") : "",
  };
}

/** `results` by database name: "SQLite", "MariaDB", "MariaDB + Redis" (those that ran). */
export function goalsTable(results: Map<string, StreamingResult>): string {
  const sqlite = results.get("SQLite");
  const rows: Array<Record<string, string>> = [];
  for (const name of ["MariaDB", "MariaDB + Redis"]) {
    const mysql = results.get(name);
    if (!mysql) continue;
    const m50 = at(mysql, "server", 50);
    const m200 = at(mysql, "server", 200);
    const floor200 = at(mysql, "floor", 200);
    const sqlite200 = at(sqlite, "server", 200);
    rows.push(
      goal(`added TTFT p50, ${name}, 50 steady`, m50?.addedP50, ms, 8, "≤ 8 ms"),
      goal(`added TTFT p99, ${name}, 50 steady`, m50?.addedP99, ms, 25, "≤ 25 ms"),
      goal(
        `TTFT p50, ${name}, 200 steady, × the floor's`,
        m200 && floor200 ? m200.ttftP50 / floor200.ttftP50 : undefined,
        (n) => `${n.toFixed(2)}× (${ms(m200!.ttftP50)})`,
        2,
        "≤ 2×",
      ),
      goal(
        `chats/s, ${name}, 200 steady, share of SQLite's`,
        m200 && sqlite200 ? sqlite200.chatsPerSecond / m200.chatsPerSecond : undefined,
        (n) => `${(100 / n).toFixed(0)} % (${m200!.chatsPerSecond.toFixed(1)} vs ${sqlite200!.chatsPerSecond.toFixed(1)})`,
        1 / 0.9,
        "≥ 90 %",
      ),
      goal(
        `CPU per chat, ${name}, 200 steady, × the floor's`,
        m200 && floor200 ? m200.cpuPerChat / floor200.cpuPerChat : undefined,
        (n) => `${n.toFixed(2)}× (${ms(m200!.cpuPerChat)} vs ${ms(floor200!.cpuPerChat)})`,
        1.3,
        "≤ 1.3×",
      ),
    );
  }
  const s200 = at(sqlite, "server", 200);
  const sFloor200 = at(sqlite, "floor", 200);
  rows.push(
    goal("added TTFT p50, SQLite, 200 steady", s200?.addedP50, ms, 60, "≤ 60 ms"),
    goal(
      "CPU per chat, SQLite, 200 steady, × the floor's",
      s200 && sFloor200 ? s200.cpuPerChat / sFloor200.cpuPerChat : undefined,
      (n) => `${n.toFixed(2)}× (${ms(s200!.cpuPerChat)} vs ${ms(sFloor200!.cpuPerChat)})`,
      1.3,
      "≤ 1.3×",
    ),
  );
  for (const [name, result] of results)
    rows.push(
      goal(`peak RSS during the runs, ${name}`, result.peakRssMb, (n) => `${n.toFixed(0)} MB`, 150, "≤ 150 MB"),
      // FC sends one instance at most 50 requests at once (s.yaml instanceConcurrency)
      goal(`peak RSS, runs of ≤ 50 concurrent, ${name}`, result.peakRssMb50, (n) => `${n.toFixed(0)} MB`, 150, "≤ 150 MB"),
    );
  return table(rows);
}
