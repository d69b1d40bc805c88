// `npm run eval`: retrieval quality on bench/eval/ — ten short tea-shop documents (Chinese and
// English) and thirty questions, some paraphrased so that keywords alone miss, each naming the
// document that answers it. The documents go in as an owner adds them (the knowledge API: parsed,
// chunked and embedded by the ingestion job), the questions are embedded and searched as a
// visitor's are; prints recall@3 and MRR (by document) per language and overall.
// With DASHSCOPE_API_KEY set (and DASHSCOPE_BASE_URL for another region) it runs on DashScope's
// real text-embedding-v4; without, on the local fake's deterministic vectors.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../server/src/app.js";
import { loadConfig } from "../server/src/config.js";
import { buildDeps } from "../server/src/deps.js";
import { embedForSite } from "../server/src/features/knowledge/embed-chunks.js";
import { searchKnowledge } from "../server/src/features/knowledge/retrieval/search-knowledge.js";
import { findSiteById } from "../server/src/features/sites/sites.repository.js";
import { startDashScopeFake } from "../server/src/llm/dashscope-fake.js";
import { memoryLogger } from "../server/src/logger.js";
import { table } from "./lib.js";
import { sqliteDatabase } from "./setup.js";

interface Question {
  q: string;
  lang: "en" | "zh";
  doc: string;
  paraphrase?: boolean;
}

const DIR = "bench/eval";

export async function runEval(env: {
  DASHSCOPE_API_KEY?: string;
  DASHSCOPE_BASE_URL?: string;
}): Promise<{ embeddings: string; report: string }> {
  const fake = env.DASHSCOPE_API_KEY ? null : await startDashScopeFake();
  const database = sqliteDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "bc-eval-"));
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    DEFAULT_PLAN: "unlimited",
    DASHSCOPE_API_KEY: env.DASHSCOPE_API_KEY ?? fake!.apiKey,
    DASHSCOPE_BASE_URL: fake ? fake.url : env.DASHSCOPE_BASE_URL,
  });
  const deps = await buildDeps(config, { logger: memoryLogger() });
  const { app } = createApp(deps);
  const call = async (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const res = await app.fetch(
      new Request(new URL(path, config.publicUrl), {
        ...init,
        headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie } : {}) },
      }),
    );
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  try {
    const signup = await call("/api/auth/signup", {
      method: "POST",
      body: JSON.stringify({ email: "eval@example.com", password: "correct horse battery staple tea" }),
    });
    const cookie = signup.headers.get("set-cookie")!.split(";")[0];
    const { site } = (await (
      await call("/api/sites", { method: "POST", cookie, body: JSON.stringify({ name: "Eval", allowedOrigins: [] }) })
    ).json()) as {
      site: { id: string };
    };
    const titleOf = new Map<string, string>();
    for (const file of readdirSync(`${DIR}/docs`).sort()) {
      titleOf.set(file, file);
      const text = readFileSync(`${DIR}/docs/${file}`, "utf8");
      await call(`/api/sites/${site.id}/knowledge`, { method: "POST", cookie, body: JSON.stringify({ kind: "text", title: file, text }) });
    }
    for (let pending = true; pending;) {
      const { sources } = (await (await call(`/api/sites/${site.id}/knowledge`, { cookie })).json()) as {
        sources: Array<{ title: string; status: string }>;
      };
      const failed = sources.find((s) => s.status === "failed");
      if (failed) throw new Error(`${failed.title} could not be ingested`);
      pending = sources.some((s) => s.status !== "ready");
    }
    const record = (await findSiteById(deps.db, site.id))!;
    const questions = JSON.parse(readFileSync(`${DIR}/questions.json`, "utf8")) as Question[];
    const results: Array<Question & { rank: number }> = [];
    for (const question of questions) {
      const { vectors } = await embedForSite(deps, record, [question.q]);
      const hits = await searchKnowledge(deps, site.id, { text: question.q, vector: vectors[0] }, { limit: 10, tokenBudget: 100_000 });
      const docs = [...new Set(hits.map((h) => h.title))];
      results.push({ ...question, rank: docs.indexOf(titleOf.get(question.doc)!) + 1 });
    }
    const row = (name: string, rs: typeof results) => ({
      questions: name,
      n: rs.length,
      "recall@3": (rs.filter((r) => r.rank > 0 && r.rank <= 3).length / rs.length).toFixed(2),
      MRR: (rs.reduce((s, r) => s + (r.rank ? 1 / r.rank : 0), 0) / rs.length).toFixed(2),
    });
    const misses = results.filter((r) => r.rank !== 1).map((r) => `  rank ${r.rank || "–"}: ${r.q} (${r.doc})`);
    const report = [
      table([
        row(
          "English",
          results.filter((r) => r.lang === "en"),
        ),
        row(
          "Chinese",
          results.filter((r) => r.lang === "zh"),
        ),
        row(
          "paraphrased",
          results.filter((r) => r.paraphrase),
        ),
        row("all", results),
      ]),
      misses.length ? `\nNot first:\n${misses.join("\n")}` : "",
    ].join("\n");
    return { embeddings: fake ? "the local fake's deterministic vectors" : `DashScope ${deps.embedder.model}`, report };
  } finally {
    await deps.dispose();
    await fake?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { embeddings, report } = await runEval(process.env);
  console.log(`\nRetrieval eval (${DIR}, embeddings: ${embeddings})\n\n${report}`);
}
