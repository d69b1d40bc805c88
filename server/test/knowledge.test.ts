import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, json, signUpOwner } from "./support/harness.js";
import { type LocalSite, startLocalSite } from "./support/local-site.js";

const SHIPPING_HTML = `<!doctype html><html><head><title>Shipping</title></head><body>
<nav>Home · Teas · Cart</nav>
<article><h1>Shipping</h1><p>We ship every order within two working days from Hangzhou. Delivery in mainland China takes three to five days.</p>
<h2>Costs</h2><p>Orders over 199 yuan ship free. Smaller orders pay a flat 12 yuan.</p></article>
<script>alert("not text")</script></body></html>`;

function form(files: Array<{ name: string; type: string; body: Uint8Array<ArrayBuffer> | string }>): FormData {
  const fd = new FormData();
  for (const f of files) fd.append("file", new Blob([f.body], { type: f.type }), f.name);
  return fd;
}

describe.each(DIALECTS)("knowledge: an owner adds sources and sees what the bot would retrieve (%s)", (dialect) => {
  let h: Harness;
  let page: LocalSite;
  let cookie: string;
  let siteId: string;

  beforeAll(async () => {
    page = await startLocalSite((req, res) => {
      if (req.url === "/robots.txt") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(SHIPPING_HTML);
    });
    h = await createHarness(dialect, { FETCH_ALLOW_HOSTS: page.hostPort });
    ({ cookie } = await signUpOwner(h));
    siteId = (await createSite(h, cookie)).id;
  });
  afterAll(async () => {
    await h.close();
    await page.close();
  });

  const add = (body: unknown, who = cookie) => h.request(`/api/sites/${siteId}/knowledge`, json(body, { cookie: who }));
  const upload = (fd: FormData) => h.request(`/api/sites/${siteId}/knowledge`, { method: "POST", body: fd, headers: { cookie } });
  const list = async () => ((await (await h.request(`/api/sites/${siteId}/knowledge`, { headers: { cookie } })).json()) as any).sources;
  const until = async (id: string, done: (s: any) => boolean) => {
    for (let i = 0; i < 50; i++) {
      const source = (await list()).find((s: any) => s.id === id);
      if (done(source)) return source;
    }
    throw new Error(`source ${id} did not settle`);
  };
  const settled = (s: any) => s.status === "ready" || s.status === "failed";

  it("pasted text becomes ready with chunks and embeddings; each embedding call is an api_calls row", async () => {
    const res = await add({
      kind: "text",
      title: "Returns",
      text: "# Returns\n\nUnopened tea can be returned within 30 days for a full refund.\n\n## 退货\n\n未开封的茶叶可在30天内退货退款。",
    });
    expect(res.status).toBe(201);
    const { source, sources } = (await res.json()) as any;
    expect(sources).toEqual([source]);
    expect(source).toMatchObject({ kind: "text", title: "Returns", url: null });
    const ready = await until(source.id, settled);
    expect(ready).toMatchObject({ status: "ready", error: null });
    expect(ready.chunks).toBeGreaterThan(0);
    const chunks = await h.deps.db.selectFrom("knowledge_chunks").selectAll().where("source_id", "=", source.id).execute();
    expect(chunks).toHaveLength(ready.chunks);
    for (const c of chunks) expect(c.embedding && Buffer.from(c.embedding).byteLength).toBe(512 * 4);
    const calls = await h.deps.db
      .selectFrom("api_calls")
      .selectAll()
      .where("site_id", "=", siteId)
      .where("model", "=", "text-embedding-v4")
      .execute();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.outcome === "ok" && (c.prompt_tokens ?? 0) > 0 && c.upstream_request_id)).toBe(true);
  });

  it("an FAQ is one chunk per pair, and the search box finds the pair a question asks about", async () => {
    const res = await add({
      kind: "faq",
      title: "FAQ",
      pairs: [
        { q: "Do you ship abroad?", a: "Yes, to Singapore and Malaysia, in 7 to 10 days." },
        { q: "会员有折扣吗？", a: "会员每单享九五折。" },
      ],
    });
    const { source } = (await res.json()) as any;
    expect(await until(source.id, settled)).toMatchObject({ status: "ready", chunks: 2 });
    const search = await h.request(`/api/sites/${siteId}/knowledge/search`, json({ q: "会员折扣" }, { cookie }));
    expect(search.status).toBe(200);
    const { results } = (await search.json()) as any;
    expect(results[0]).toMatchObject({ sourceId: source.id, title: "FAQ", relevant: true });
    expect(results[0].text).toContain("九五折");
  });

  it("a page URL is fetched through the guard, read without its navigation and script, and titled by the page", async () => {
    const res = await add({ kind: "url", url: `${page.origin}/shipping` });
    const { source } = (await res.json()) as any;
    const ready = await until(source.id, settled);
    expect(ready).toMatchObject({ status: "ready", kind: "url", url: `${page.origin}/shipping`, title: "Shipping" });
    const chunks = await h.deps.db.selectFrom("knowledge_chunks").select("text").where("source_id", "=", source.id).execute();
    const text = chunks.map((c) => c.text).join("\n");
    expect(text).toContain("within two working days");
    expect(text).not.toContain("alert(");
    expect(page.requests.some((r) => r.userAgent?.startsWith("BailianChatBot/"))).toBe(true);
  });

  it("a URL into the server's own network is refused as a failed source with a readable reason", async () => {
    const res = await add({ kind: "url", url: "http://169.254.169.254/latest/meta-data/" });
    const { source } = (await res.json()) as any;
    const failed = await until(source.id, settled);
    expect(failed.status).toBe("failed");
    expect(failed.error.code).toBe("address_refused");
    expect(failed.error.message).toMatch(/private network/);
  });

  it("several files at once: each its own source; a PNG named .pdf fails with a reason and the others are unaffected", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    const res = await upload(
      form([
        {
          name: "brewing.md",
          type: "text/markdown",
          body: "# Brewing\n\nGreen tea: 80 °C water, two minutes.\n\n# Oolong\n\nOolong: 95 °C, several short steeps.",
        },
        { name: "menu.pdf", type: "application/pdf", body: png },
      ]),
    );
    expect(res.status).toBe(201);
    const { sources } = (await res.json()) as any;
    expect(sources).toHaveLength(2);
    const [md, pdf] = [await until(sources[0].id, settled), await until(sources[1].id, settled)];
    // A document's own title replaces its file name; a file that could not be read keeps its name.
    expect(md).toMatchObject({ status: "ready", kind: "file", title: "Brewing" });
    expect(pdf.title).toBe("menu.pdf");
    expect(pdf).toMatchObject({ status: "failed", error: { code: "type_mismatch" } });
    expect(pdf.error.message).toMatch(/does not match/);
    // The original is kept in file storage until the source goes.
    expect(await h.deps.files.has(`sites/${siteId}/knowledge/${sources[0].id}`)).toBe(true);
  });

  it("bad uploads are refused before anything is stored: a type the parsers do not read, an oversize file, a JSON body of the wrong shape", async () => {
    const before = (await list()).length;
    const exe = await upload(form([{ name: "setup.exe", type: "application/octet-stream", body: "MZ" }]));
    expect(exe.status).toBe(400);
    expect(((await exe.json()) as any).error.code).toBe("unsupported_file");
    const big = await upload(form([{ name: "big.txt", type: "text/plain", body: new Uint8Array(21 * 1024 * 1024).fill(0x61) }]));
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).error.code).toBe("file_too_large");
    const bad = await add({ kind: "url", url: "ftp://example.com/a" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe("invalid_body");
    expect((await list()).length).toBe(before);
  });

  it("another owner can neither read nor change this site's knowledge", async () => {
    const other = await signUpOwner(h);
    const [source] = await list();
    expect((await h.request(`/api/sites/${siteId}/knowledge`, { headers: { cookie: other.cookie } })).status).toBe(404);
    expect((await add({ kind: "text", title: "x", text: "y" }, other.cookie)).status).toBe(404);
    const del = await h.request(`/api/sites/${siteId}/knowledge/${source.id}`, { method: "DELETE", headers: { cookie: other.cookie } });
    expect(del.status).toBe(404);
    expect((await list()).some((s: any) => s.id === source.id)).toBe(true);
  });

  it("deleting a source removes its chunks and its stored original, and search no longer returns it", async () => {
    const res = await add({ kind: "text", title: "Matcha", text: "Matcha is whisked, never steeped: 2 grams in 70 ml at 75 °C." });
    const { source } = (await res.json()) as any;
    await until(source.id, settled);
    const key = `sites/${siteId}/knowledge/${source.id}`;
    expect(await h.deps.files.has(key)).toBe(true);
    const del = await h.request(`/api/sites/${siteId}/knowledge/${source.id}`, { method: "DELETE", headers: { cookie } });
    expect(del.status).toBe(204);
    expect(await h.deps.db.selectFrom("knowledge_chunks").select("id").where("source_id", "=", source.id).execute()).toEqual([]);
    expect(await h.deps.files.has(key)).toBe(false);
    const search = await h.request(`/api/sites/${siteId}/knowledge/search`, json({ q: "matcha whisked grams" }, { cookie }));
    expect(((await search.json()) as any).results.some((r: any) => r.sourceId === source.id)).toBe(false);
  });

  it("the embedding service refusing the key fails the source with a reason; a 429 then success is retried and ends ready", async () => {
    h.fake.enqueueEmbeddings({ kind: "error", status: 401, code: "invalid_api_key" });
    const refused = (await (await add({ kind: "text", title: "Gifts", text: "Gift boxes hold three teas." })).json()) as any;
    expect(await until(refused.source.id, settled)).toMatchObject({ status: "failed", error: { code: "embedding_failed" } });
    const calls = await h.deps.db
      .selectFrom("api_calls")
      .selectAll()
      .where("site_id", "=", siteId)
      .where("outcome", "=", "error")
      .execute();
    expect(calls.some((c) => c.model === "text-embedding-v4" && c.http_status === 401)).toBe(true);
    h.fake.enqueueEmbeddings({ kind: "error", status: 429, code: "limit_requests" });
    const retried = (await (await add({ kind: "text", title: "Gifts", text: "Gift boxes hold three teas." })).json()) as any;
    expect(await until(retried.source.id, settled)).toMatchObject({ status: "ready", error: null });
  });

  it("while a source is processing, the list shows how many of its passages are indexed; an embedding outage is retried later", async () => {
    const outage = { kind: "error" as const, status: 500, code: "InternalError" };
    h.fake.enqueueEmbeddings(outage, outage, outage);
    const text = Array.from({ length: 6 }, (_, i) => `## Tea ${i}\n\nTea number ${i} grows on a hill ${i} km from Hangzhou.`).join("\n\n");
    const { source } = (await (await add({ kind: "text", title: "Hills", text })).json()) as any;
    expect(source.status).toBe("processing");
    const listed = (await list()).find((s: any) => s.id === source.id);
    expect(listed.progress.chunks).toBeGreaterThan(0);
    expect(listed.progress.embedded).toBe(0);
    // The job waits out its back-off; on the clock past it, the Knowledge page's next poll finishes it.
    const now = h.deps.now;
    h.deps.now = () => now() + 60_000;
    try {
      expect(await until(source.id, settled)).toMatchObject({ status: "ready", progress: null, chunks: listed.progress.chunks });
    } finally {
      h.deps.now = now;
    }
  });

  it("deleting the site takes its knowledge with it: sources, chunks, jobs and stored originals", async () => {
    const other = await createSite(h, cookie);
    const res = await h.request(`/api/sites/${other.id}/knowledge`, json({ kind: "text", title: "Gone", text: "Soon gone." }, { cookie }));
    expect(res.status).toBe(201);
    expect(await h.deps.files.list(`sites/${other.id}`)).toHaveLength(1);
    expect((await h.request(`/api/sites/${other.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
    for (const table of ["knowledge_sources", "knowledge_chunks", "jobs"] as const) {
      expect(await h.deps.db.selectFrom(table).select("site_id").where("site_id", "=", other.id).execute(), table).toEqual([]);
    }
    expect(await h.deps.files.list(`sites/${other.id}`)).toEqual([]);
    // the other site's knowledge is untouched
    expect((await list()).length).toBeGreaterThan(0);
  });

  it("refresh reads a source again and it ends ready again", async () => {
    const [source] = (await list()).filter((s: any) => s.status === "ready");
    const res = await h.request(`/api/sites/${siteId}/knowledge/${source.id}/refresh`, { method: "POST", headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await until(source.id, settled)).toMatchObject({ status: "ready", chunks: source.chunks });
  });
});

describe.each(DIALECTS)("knowledge: the plan bounds a site's sources and its month's tokens (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, { DEFAULT_PLAN: "", OPERATOR_EMAILS: "knowledge-operator@example.com" });
  });
  afterAll(() => h.close());

  it("past the free plan's 20 sources, 400 knowledge_limit and nothing is added", async () => {
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    for (let i = 0; i < 20; i++) {
      const res = await h.request(
        `/api/sites/${site.id}/knowledge`,
        json({ kind: "faq", title: `F${i}`, pairs: [{ q: `q${i}`, a: `a${i}` }] }, { cookie }),
      );
      expect(res.status).toBe(201);
    }
    const res = await h.request(`/api/sites/${site.id}/knowledge`, json({ kind: "text", title: "one more", text: "x" }, { cookie }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatchObject({ code: "knowledge_limit" });
    const count = await h.deps.db.selectFrom("knowledge_sources").select("id").where("site_id", "=", site.id).execute();
    expect(count).toHaveLength(20);
  });

  it("the plan's bytes bound refuses an upload past it (400 knowledge_limit); its chunks bound fails a source that would pass it", async () => {
    const operator = await signUpOwner(h, "knowledge-operator@example.com");
    const patch = await h.request("/api/operator/plans/free", {
      ...json({ knowledge: { sources: 20, bytes: 2_000, chunks: 1 } }, { cookie: operator.cookie }),
      method: "PATCH",
    });
    expect(patch.status).toBe(200);
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    const fd = form([{ name: "big.md", type: "text/markdown", body: "# Big\n\n" + "tea ".repeat(1_000) }]);
    const big = await h.request(`/api/sites/${site.id}/knowledge`, { method: "POST", body: fd, headers: { cookie } });
    expect(big.status).toBe(400);
    expect(((await big.json()) as any).error.code).toBe("knowledge_limit");
    const twoSections = "# One\n\nThe first section.\n\n# Two\n\nThe second section.";
    const res = await h.request(`/api/sites/${site.id}/knowledge`, json({ kind: "text", title: "Two", text: twoSections }, { cookie }));
    expect(((await res.json()) as any).source).toMatchObject({ status: "failed", error: { code: "knowledge_limit" }, chunks: 0 });
    expect(await h.deps.db.selectFrom("knowledge_chunks").select("id").where("site_id", "=", site.id).execute()).toEqual([]);
  });

  it("embedding a source counts on the site's month: past its tokens the source fails with quota_exceeded and no call is made", async () => {
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie, { limits: { monthlyTokens: 10 } });
    h.fake.reset();
    const res = await h.request(
      `/api/sites/${site.id}/knowledge`,
      json({ kind: "text", title: "Long", text: "Oolong tea is partly oxidised. ".repeat(20) }, { cookie }),
    );
    const { source } = (await res.json()) as any;
    expect(source).toMatchObject({ status: "failed", error: { code: "quota_exceeded" } });
    expect(h.fake.requests.filter((r) => r.path.endsWith("/embeddings"))).toEqual([]);
  });
});
