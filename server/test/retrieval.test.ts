import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexBuildCount } from "../src/features/knowledge/retrieval/index-cache.js";
import { type RetrievedChunk, bumpKnowledgeVersion, searchKnowledge } from "../src/features/knowledge/retrieval/search-knowledge.js";
import { newId } from "../src/security/ids.js";
import { DIALECTS } from "./support/databases.js";
import { hashEmbedding, normalise } from "./support/hash-embedding.js";
import { type Harness, createHarness } from "./support/harness.js";
import { type ChunkSeed, insertSource } from "./support/knowledge-rows.js";

// Chunk and query vectors come from a local hashing function (support/hash-embedding.ts): shared
// words land near each other, and a "semantic" neighbour is made by mixing vectors on purpose.

const SHIPPING = "Orders leave our Hangzhou warehouse within 24 hours. Delivery takes two to four working days by SF Express.";
const RETURNS_ZH = "退货政策：收到茶叶后七天内，未开封的商品可以申请退货，运费由我们承担。";
const MATCHA = "Our ceremonial matcha is stone-ground in Uji. Whisk one gram with 70 ml of water at 80 °C.";
const OOLONG = "铁观音乌龙茶，用 95 度的水冲泡，第一泡三十秒。";

/** A vector between `toward` and some noise of `text`: what a real embedder gives a paraphrase. */
const near = (toward: string, text: string) => {
  const a = hashEmbedding(toward);
  const b = hashEmbedding(text);
  return normalise(a.map((x, d) => x + 0.4 * b[d]));
};

describe.each(DIALECTS)("knowledge retrieval (%s)", (dialect) => {
  let h: Harness;
  let siteId: string;
  const search = (text: string, vector = hashEmbedding(text), options?: { limit?: number; tokenBudget?: number }, site = siteId) =>
    searchKnowledge(h.deps, site, { text, vector }, options);
  const texts = (hits: RetrievedChunk[]) => hits.map((c) => c.text);

  beforeAll(async () => {
    h = await createHarness(dialect);
    siteId = newId("site");
    await insertSource(h.deps.db, {
      siteId,
      title: "Shipping",
      url: "https://shop.example/shipping",
      chunks: [{ heading: "Shipping > Times", text: SHIPPING }],
    });
    await insertSource(h.deps.db, { siteId, title: "退货政策", chunks: [{ heading: "退货", text: RETURNS_ZH }] });
    await insertSource(h.deps.db, {
      siteId,
      title: "Teas",
      chunks: [
        { heading: "Matcha", text: MATCHA },
        { heading: "乌龙", text: OOLONG },
      ],
    });
  });
  afterAll(() => h.close());

  it("finds a chunk by its vector when the question shares no word with it", async () => {
    const question = "When will my parcel arrive?";
    const hits = await search(question, near(`Shipping > Times\n${SHIPPING}`, question));
    expect(hits[0]).toMatchObject({
      text: SHIPPING,
      heading: "Shipping > Times",
      title: "Shipping",
      url: "https://shop.example/shipping",
      relevant: true,
    });
    expect(hits[0].tokens).toBeGreaterThan(0);
    expect(hits[0].sourceId).toMatch(/^ksrc_/);
  });

  it("finds a Chinese chunk by keyword, with no spaces in the question, when the vector points elsewhere", async () => {
    const elsewhere = hashEmbedding("completely unrelated vector direction");
    for (const question of ["退货", "请问怎么退货？"]) {
      const hits = await search(question, elsewhere);
      expect(hits[0].text, question).toBe(RETURNS_ZH);
      expect(hits[0].relevant, question).toBe(true);
    }
  });

  it("finds an English chunk by keyword, plural or not, when the vector points elsewhere", async () => {
    const elsewhere = hashEmbedding("completely unrelated vector direction");
    expect((await search("How much matcha per cup?", elsewhere))[0].text).toBe(MATCHA);
    // relevant by keywords alone only when the chunk holds most of what was asked of the site's
    // words: a word the site never uses (much, cup) weighs as little as one every chunk has
    expect(await search("Matcha?", elsewhere)).toMatchObject([{ text: MATCHA, relevant: true }, {}, {}, {}]);
    expect((await search("How much matcha per cup?", elsewhere))[0]).toMatchObject({ text: MATCHA, relevant: true });
    const mixed = await search("matcha delivery warehouse", elsewhere);
    expect(mixed.find((c) => c.text === MATCHA)?.relevant).toBe(false);
    expect((await search("shipping days", elsewhere))[0]).toMatchObject({ text: SHIPPING, relevant: true });
  });

  it("ranks a chunk found by both vector and keywords above one found by either alone", async () => {
    const site = newId("site");
    const u = (name: string) => hashEmbedding(`direction ${name}`);
    const both = "Our oolong brewing guide, among other notes on the shop's teas and kettles.";
    const keywordOnly = "Oolong brewing: oolong brewing times for oolong, by the oolong brewing master.";
    const vectorOnly = "A page about kettles and cups.";
    // closest to B, then A; the keyword-only chunk points away from the question
    const vector = normalise(u("B").map((x, d) => 2 * x + 1.5 * u("A")[d]));
    await insertSource(h.deps.db, {
      siteId: site,
      title: "Guides",
      chunks: [
        { text: both, vector: u("A") },
        { text: keywordOnly, vector: vector.map((x) => -x) },
        { text: vectorOnly, vector: u("B") },
        ...Array.from({ length: 5 }, (_, i): ChunkSeed => ({ text: `Filler number ${i} about green tea.` })),
      ],
    });
    const hits = await search("oolong brewing", vector, {}, site);
    expect(texts(hits).slice(0, 1)).toEqual([both]);
    expect(texts(hits)).toEqual(expect.arrayContaining([keywordOnly, vectorOnly]));
  });

  it("never returns another site's chunks", async () => {
    const other = newId("site");
    const secret = "Secret wholesale price list for the other shop: pu-erh 12 yuan per cake.";
    await insertSource(h.deps.db, { siteId: other, title: "Wholesale", chunks: [{ text: secret }] });
    const mine = await search(secret);
    expect(texts(mine)).not.toContain(secret);
    expect(mine.every((c) => !c.text.includes("wholesale"))).toBe(true);
    expect(texts(await search(secret, hashEmbedding(secret), {}, other))).toEqual([secret]);
  });

  it("leaves out chunks of sources that are queued, processing or failed", async () => {
    const site = newId("site");
    for (const status of ["queued", "processing", "failed"] as const) {
      await insertSource(h.deps.db, { siteId: site, title: status, status, chunks: [{ text: `Gift cards ${status} never shown.` }] });
    }
    await insertSource(h.deps.db, { siteId: site, title: "ready", chunks: [{ text: "Gift cards are sold in the shop." }] });
    const hits = await search("gift cards", hashEmbedding("gift cards"), { limit: 10 }, site);
    expect(texts(hits)).toEqual(["Gift cards are sold in the shop."]);
  });

  it("stays within the token budget and the limit", async () => {
    const site = newId("site");
    await insertSource(h.deps.db, {
      siteId: site,
      title: "Long",
      chunks: Array.from({ length: 8 }, (_, i) => ({ text: `Jasmine tea note ${i}.`, tokens: 400 })),
    });
    const budgeted = await search("jasmine tea", undefined, { tokenBudget: 1000 }, site);
    expect(budgeted.length).toBe(2);
    expect(budgeted.reduce((n, c) => n + c.tokens, 0)).toBeLessThanOrEqual(1000);
    expect((await search("jasmine tea", undefined, {}, site)).length).toBe(3); // 1,500 by default
    expect((await search("jasmine tea", undefined, { limit: 2, tokenBudget: 10_000 }, site)).length).toBe(2);
    expect((await search("jasmine tea", undefined, { limit: 20, tokenBudget: 10_000 }, site)).length).toBe(8);
  });

  it("sees a source that became ready, after the version bump and also from the database alone", async () => {
    const site = newId("site");
    const clock = Date.parse("2026-12-02T10:00:00Z");
    await insertSource(h.deps.db, { siteId: site, title: "Old", chunks: [{ text: "Black tea from Yunnan." }], updatedAt: clock });
    expect(texts(await search("white peony", undefined, {}, site))).toEqual(["Black tea from Yunnan."]);

    // ingestion: processing, chunks written, ready in the same millisecond as the old source; then the bump
    const { sourceId } = await insertSource(h.deps.db, {
      siteId: site,
      title: "New",
      status: "processing",
      chunks: [{ text: "White peony from Fuding." }],
      updatedAt: clock,
    });
    expect(texts(await search("white peony", undefined, {}, site))).toEqual(["Black tea from Yunnan."]);
    await h.deps.db.updateTable("knowledge_sources").set({ status: "ready", updated_at: clock }).where("id", "=", sourceId).execute();
    await bumpKnowledgeVersion(h.deps, site);
    const after = await search("white peony", undefined, {}, site);
    expect(after[0]).toMatchObject({ text: "White peony from Fuding.", title: "New", relevant: true });

    // another instance's change, seen through the ready sources' aggregate with no bump here
    await insertSource(h.deps.db, { siteId: site, title: "Newer", chunks: [{ text: "Silver needle from Fuding." }], updatedAt: clock + 1 });
    expect((await search("silver needle", undefined, {}, site))[0].text).toBe("Silver needle from Fuding.");
  });

  it("drops a chunk whose source failed since the index was built", async () => {
    const site = newId("site");
    const { sourceId } = await insertSource(h.deps.db, { siteId: site, title: "Gone", chunks: [{ text: "Dragon well green tea." }] });
    expect(texts(await search("dragon well", undefined, {}, site))).toEqual(["Dragon well green tea."]);
    await h.deps.db.updateTable("knowledge_sources").set({ status: "failed" }).where("id", "=", sourceId).execute();
    expect(await search("dragon well", undefined, {}, site)).toEqual([]);
  });

  it("says nothing is relevant for a nonsense question, in English and in Chinese", async () => {
    for (const question of ["xqzvy plorf wumbo", "今天天气怎么样"]) {
      const hits = await search(question);
      expect(hits.length, question).toBeGreaterThan(0);
      expect(
        hits.filter((c) => c.relevant),
        question,
      ).toEqual([]);
    }
  });

  it("builds a site's index once when many questions arrive together", async () => {
    const site = newId("site");
    await insertSource(h.deps.db, { siteId: site, title: "Many", chunks: [{ text: "Puer cakes age well." }] });
    const before = indexBuildCount();
    const answers = await Promise.all(Array.from({ length: 20 }, () => search("puer cakes", undefined, {}, site)));
    expect(indexBuildCount() - before).toBe(1);
    expect(answers.every((a) => a[0]?.text === "Puer cakes age well.")).toBe(true);
  });

  it("returns nothing for a site without knowledge", async () => {
    expect(await search("anything", undefined, {}, newId("site"))).toEqual([]);
  });
});
