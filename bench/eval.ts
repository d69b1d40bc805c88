// `npm run eval`: retrieval quality on bench/eval/ — ten short tea-shop documents (Chinese and
// English) and thirty questions, some paraphrased so that keywords alone miss, each naming the
// document that answers it. Chunks and questions are embedded by `embed` (passed in), written to a
// fresh SQLite database as ingestion would, and asked through searchKnowledge; prints recall@3 and
// MRR (by document) per language and overall.
import { readFileSync, readdirSync } from "node:fs";
import { loadConfig } from "../server/src/config.js";
import { buildDeps } from "../server/src/deps.js";
import { searchKnowledge } from "../server/src/features/knowledge/retrieval/search-knowledge.js";
import { memoryLogger } from "../server/src/logger.js";
import { newId } from "../server/src/security/ids.js";
import { hashEmbedding } from "../server/test/support/hash-embedding.js";
import { insertSource } from "../server/test/support/knowledge-rows.js";
import { table } from "./lib.js";
import { sqliteDatabase } from "./setup.js";

/** Texts in, L2-normalised vectors out, in order. */
export type Embed = (texts: string[]) => Promise<Float32Array[]>;

interface Question {
  q: string;
  lang: "en" | "zh";
  doc: string;
  paraphrase?: boolean;
}

const DIR = "bench/eval";

/**
 * LOCAL STAND-IN, to be replaced at merge by the project's chunker:
 * `chunkDocument(textDocument(title, md))`. One chunk per `##` section, its heading path kept.
 */
function chunkMarkdown(md: string): Array<{ heading: string; text: string }> {
  const title = /^# (.+)$/m.exec(md)?.[1] ?? "";
  return md
    .split(/^## /m)
    .slice(1)
    .map((section) => {
      const [heading, ...body] = section.split("\n");
      return { heading: `${title} > ${heading.trim()}`, text: body.join("\n").trim() };
    })
    .filter((c) => c.text);
}

export async function runEval(embed: Embed): Promise<string> {
  const database = sqliteDatabase();
  const deps = await buildDeps(
    loadConfig({ DATABASE_URL: database.url, APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz" }),
    { logger: memoryLogger() },
  );
  try {
    const siteId = newId("site");
    const titleOf = new Map<string, string>();
    for (const file of readdirSync(`${DIR}/docs`).sort()) {
      const md = readFileSync(`${DIR}/docs/${file}`, "utf8");
      const chunks = chunkMarkdown(md);
      const vectors = await embed(chunks.map((c) => `${c.heading}\n${c.text}`));
      const title = `${file}`;
      titleOf.set(file, title);
      await insertSource(deps.db, { siteId, title, chunks: chunks.map((c, i) => ({ ...c, vector: vectors[i] })) });
    }
    const questions = JSON.parse(readFileSync(`${DIR}/questions.json`, "utf8")) as Question[];
    const vectors = await embed(questions.map((q) => q.q));
    const results: Array<Question & { rank: number }> = [];
    for (const [i, question] of questions.entries()) {
      const hits = await searchKnowledge(deps, siteId, { text: question.q, vector: vectors[i] }, { limit: 10, tokenBudget: 100_000 });
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
    return [
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
  } finally {
    await deps.dispose();
    await database.drop();
  }
}

/** For now the local hash function (server/test/support/hash-embedding.ts); the DashScope embedder over HTTP at merge. */
const localEmbed: Embed = async (texts) => texts.map((t) => hashEmbedding(t));

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`\nRetrieval eval (${DIR}, local hash embeddings)\n\n${await runEval(localEmbed)}`);
}
