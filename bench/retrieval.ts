// Knowledge retrieval (server/src/features/knowledge/retrieval): synthetic sites of 1,000, 10,000
// and 50,000 chunks, half Chinese and half English, with vectors from the local DashScope fake's function (made without HTTP)
// (server/test/support/hash-embedding.ts), written to SQLite as ingestion would. For each: the
// index build (the first question), question latency (many questions, mixed languages), and the
// memory an index holds. `npx tsx bench/retrieval.ts [sizes…]` alone, or as part of `npm run bench`.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadConfig } from "../server/src/config.js";
import { buildDeps } from "../server/src/deps.js";
import { siteIndex } from "../server/src/features/knowledge/retrieval/index-cache.js";
import { forgetSiteIndex, searchKnowledge } from "../server/src/features/knowledge/retrieval/search-knowledge.js";
import { memoryLogger } from "../server/src/logger.js";
import { newId } from "../server/src/security/ids.js";
import { hashEmbedding, normalise } from "../server/test/support/hash-embedding.js";
import { insertSource } from "../server/test/support/knowledge-rows.js";
import { ms, percentile, table } from "./lib.js";
import { sqliteDatabase } from "./setup.js";

const QUERIES = 300;
const CHUNKS_PER_SOURCE = 500;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

// A tea shop's words, so keyword postings look like a real site's: some terms everywhere, most rare.
const ZH_WORDS = (
  "茶叶 绿茶 红茶 乌龙 普洱 白茶 花茶 龙井 铁观音 碧螺春 大红袍 冲泡 水温 时间 茶具 盖碗 紫砂 发货 快递 顺丰 包邮 退货 退款 " +
  "换货 会员 积分 优惠 券 折扣 支付 微信 支付宝 发票 礼盒 包装 保存 冷藏 避光 产地 福建 云南 浙江 杭州 春茶 秋茶 采摘 烘焙 " +
  "口感 香气 回甘 茶汤 批发 定制 客服 工作日 订单 地址 修改 取消 库存 预售"
).split(" ");
const EN_WORDS = (
  "tea leaves green black oolong puer white jasmine sencha matcha brew water temperature minutes teapot kettle cup ship " +
  "shipping delivery courier express free return refund exchange member points discount coupon pay card invoice gift box " +
  "store keep fridge dark origin harvest spring autumn roast taste aroma aftertaste wholesale custom service order address " +
  "change cancel stock preorder grams steep infusion caffeine organic"
).split(" ");

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A chunk of about 300 tokens: Chinese sentences of shop words and some rarer made-up ones, or English ones. */
function chunkText(random: () => number, chinese: boolean, n: number): string {
  const words = chinese ? ZH_WORDS : EN_WORDS;
  const pick = () => words[Math.floor(random() * random() * words.length)];
  const parts: string[] = [];
  // a rare term per chunk: a product code or a name only this chunk uses
  parts.push(chinese ? `产品${n}号` : `item${n}`);
  for (let i = 0; i < (chinese ? 140 : 220); i++) parts.push(pick());
  return chinese ? parts.join("") + "。" : parts.join(" ") + ".";
}

async function runSize(size: number): Promise<Record<string, string>> {
  const database = sqliteDatabase();
  const deps = await buildDeps(
    loadConfig({ DATABASE_URL: database.url, APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz" }),
    { logger: memoryLogger() },
  );
  try {
    const siteId = newId("site");
    const random = rng(size);
    const texts: string[] = [];
    for (let s = 0; s * CHUNKS_PER_SOURCE < size; s++) {
      const chunks = Array.from({ length: Math.min(CHUNKS_PER_SOURCE, size - s * CHUNKS_PER_SOURCE) }, (_, i) => {
        const n = s * CHUNKS_PER_SOURCE + i;
        const text = chunkText(random, n % 2 === 0, n);
        texts.push(text);
        return { heading: `Section ${n}`, text, tokens: 300 };
      });
      await insertSource(deps.db, { siteId, title: `Source ${s}`, chunks });
    }

    let started = performance.now();
    const estimate = (await siteIndex(deps, siteId)).bytes;
    const buildMs = performance.now() - started;

    // Questions: a few words of a random chunk (its rare term half the time), the vector near that chunk's.
    const times: number[] = [];
    let foundFirst = 0;
    for (let q = 0; q < QUERIES; q++) {
      const n = Math.floor(random() * size);
      const words = texts[n].match(/[a-z]+|[\u4e00-\u9fff]{2}/g)!;
      const start = Math.floor(random() * (words.length - 3));
      const text = (q % 2 ? `item${n} ` : "") + words.slice(start, start + 3).join(q % 2 ? " " : "");
      const target = hashEmbedding(`Section ${n}\n${texts[n]}`);
      const noise = hashEmbedding(text);
      const vector = normalise(target.map((x, d) => x + 0.5 * noise[d]));
      started = performance.now();
      const hits = await searchKnowledge(deps, siteId, { text, vector });
      times.push(performance.now() - started);
      if (hits[0]?.heading === `Section ${n}`) foundFirst++;
    }
    // What the index holds: the heap and buffers with it cached, less without it (then built again).
    const held = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const withIndex = held();
    const rss = process.memoryUsage().rss;
    forgetSiteIndex(siteId);
    const heap = withIndex - held();
    return {
      chunks: size.toLocaleString("en-US"),
      "build (first question)": ms(buildMs),
      "question p50": ms(percentile(times, 50)),
      "question p95": ms(percentile(times, 95)),
      "index (estimate)": mb(estimate),
      "heap + buffers": mb(heap),
      "per chunk": `${Math.round(heap / size).toLocaleString("en-US")} B`,
      "target first": `${((100 * foundFirst) / QUERIES).toFixed(0)}%`,
      RSS: mb(rss),
    };
  } finally {
    await deps.dispose();
    await database.drop();
  }
}

/** The int8 quantisation's error on the dot product, against float32, over random chunk pairs. */
async function quantisationError(): Promise<string> {
  const { VectorStore } = await import("../server/src/features/knowledge/retrieval/vector-store.js");
  const { embeddingBlob } = await import("../server/test/support/hash-embedding.js");
  const random = rng(7);
  const vectors = Array.from({ length: 200 }, (_, n) => hashEmbedding(chunkText(random, n % 2 === 0, n)));
  const store = new VectorStore(512);
  for (const v of vectors) store.add(embeddingBlob(v));
  let worst = 0;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < vectors.length; a++) {
    for (let b = 0; b < 20; b++) {
      const exact = vectors[a].reduce((s, x, d) => s + x * vectors[b][d], 0);
      const error = Math.abs(store.similarity(a, vectors[b])! - exact);
      worst = Math.max(worst, error);
      sum += error;
      pairs++;
    }
  }
  return `int8 dot product error against float32: mean ${(sum / pairs).toFixed(4)}, worst ${worst.toFixed(4)} (${pairs} pairs)`;
}

export async function retrievalBench(sizes = [1_000, 10_000, 50_000]): Promise<string> {
  const rows: Array<Record<string, string>> = [];
  // one size at a time, each in a fresh database, its index forgotten after
  for (const size of sizes) rows.push(await runSize(size));
  return `${table(rows)}\n\n${await quantisationError()}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  console.log(`\nKnowledge retrieval (${QUERIES} questions per size, SQLite)\n\n${await retrievalBench(sizes.length ? sizes : undefined)}`);
}
