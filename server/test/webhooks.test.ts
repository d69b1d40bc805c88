import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type WebhookEvent, handleDeliveries, verifySignature } from "../../examples/webhook-receiver.mjs";
import { DELIVERY_WINDOW_MS } from "../src/features/webhooks/deliver.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, createSite, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

/** What the loopback receiver was sent, byte for byte. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

/**
 * A receiver on 127.0.0.1: each path is one webhook. Once its secret is known, the path is served
 * by the example receiver's own handler (examples/webhook-receiver.mjs), which checks signatures
 * and hands each event on once; a path may first be told to answer other statuses.
 */
class Receiver {
  server!: Server;
  port = 0;
  received: Received[] = [];
  events: Array<{ path: string; event: WebhookEvent }> = [];
  private handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  private statuses = new Map<string, number[]>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? "";
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.received.push({ path, headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") }));
      const status = this.statuses.get(path)?.shift();
      const handler = this.handlers.get(path);
      if (status !== undefined || !handler) {
        req.resume();
        // A redirect names a page the delivery must not go on to.
        req.on("end", () =>
          res.writeHead(status ?? 404, status && status >= 300 && status < 400 ? { location: "/followed" } : {}).end("not here"),
        );
        return;
      }
      handler(req, res);
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  serve(path: string, secret: string): void {
    this.handlers.set(
      path,
      handleDeliveries(secret, (event) => this.events.push({ path, event })),
    );
  }

  answer(path: string, ...statuses: number[]): void {
    this.statuses.set(path, statuses);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Delivery {
  id: string;
  eventId: string;
  type: string;
  state: string;
  attempts: Array<{ attempt: number; statusCode: number | null; latencyMs: number; error: string | null; at: string }>;
}

describe.each(DIALECTS)("webhooks: signed deliveries of a site's events, retried and logged (%s)", (dialect) => {
  let h: Harness;
  const receiver = new Receiver();
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;
  let realNow: () => number;

  beforeAll(async () => {
    await receiver.start();
    // Only the receiver's own host:port is let through to a loopback address.
    h = await createHarness(dialect, { FETCH_ALLOW_HOSTS: `127.0.0.1:${receiver.port}` });
    realNow = h.deps.now;
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie);
  });
  afterEach(() => {
    h.deps.now = realNow;
  });
  afterAll(async () => {
    await h?.close();
    await receiver.close();
  });

  const hooks = (siteId = site.id) => `/api/sites/${siteId}/webhooks`;

  async function addWebhook(path: string, events: string[], as = cookie, siteId = site.id) {
    const res = await h.request(hooks(siteId), json({ url: receiver.url(path), events }, { cookie: as }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { webhook: { id: string; url: string; events: string[]; enabled: boolean }; secret: string };
    receiver.serve(path, body.secret);
    return body;
  }

  async function deliveries(webhookId: string): Promise<Delivery[]> {
    const res = await h.request(`${hooks()}/${webhookId}/deliveries`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
  }

  /** Moves the server's clock `ms` ahead and drives every job that is then due. */
  async function later(ms: number): Promise<void> {
    h.deps.now = () => realNow() + ms;
    await h.deps.jobs.drive({ budgetMs: 15_000 });
  }

  it("sends a real chat's conversation.created and message.created, and a rating's feedback.created, signed, one event id for every webhook", async () => {
    const all = await addWebhook("/all", ["conversation.created", "message.created", "feedback.created"]);
    const second = await addWebhook("/conversations", ["conversation.created"]);
    expect(all.webhook).toMatchObject({ url: receiver.url("/all"), enabled: true });

    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "It ships today." });
    const events = await readSse(await sendMessage(h, visitor, "Where is my order?"));
    const answerId = events.at(-1)!.data.messageId as string;
    const rated = await h.request(`/v1/messages/${answerId}/feedback`, json({ rating: "down", comment: "Too late" }, visitor.headers));
    expect(rated.status).toBe(200);
    await h.deps.tasks.idle();

    const got = (path: string) => receiver.events.filter((e) => e.path === path).map((e) => e.event);
    const toAll = got("/all");
    expect(toAll.map((e) => e.type).sort()).toEqual(["conversation.created", "feedback.created", "message.created", "message.created"]);
    const created = toAll.find((e) => e.type === "conversation.created")!;
    expect(created).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      siteId: site.id,
      data: {
        conversation: { id: visitor.conversationId, visitorId: visitor.visitorId },
        message: { role: "user", content: "Where is my order?", status: "complete" },
      },
    });
    const messages = toAll.filter((e) => e.type === "message.created").map((e) => e.data as { conversationId: string; message: unknown });
    expect(messages).toEqual(
      expect.arrayContaining([
        { conversationId: visitor.conversationId, message: expect.objectContaining({ role: "user", content: "Where is my order?" }) },
        {
          conversationId: visitor.conversationId,
          message: expect.objectContaining({ id: answerId, role: "assistant", content: "It ships today.", status: "complete" }),
        },
      ]),
    );
    expect(toAll.find((e) => e.type === "feedback.created")!.data).toEqual({
      messageId: answerId,
      visitorId: visitor.visitorId,
      rating: "down",
      comment: "Too late",
    });
    // The conversation went to both webhooks as one event: receivers deduplicate by its id.
    expect(got("/conversations").map((e) => e.id)).toEqual([created.id]);

    // Every request as sent: JSON, the event id header, a signature the example's check accepts
    // with this webhook's secret and refuses with another's.
    const sent = receiver.received.filter((r) => r.path === "/all");
    expect(sent).toHaveLength(4);
    for (const r of sent) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-bailianchat-event-id"]).toBe((JSON.parse(r.raw) as { id: string }).id);
      expect(verifySignature(all.secret, r.raw, r.headers["x-bailianchat-signature"] as string)).toBe(true);
      expect(verifySignature(second.secret, r.raw, r.headers["x-bailianchat-signature"] as string)).toBe(false);
      expect(verifySignature(all.secret, r.raw + " ", r.headers["x-bailianchat-signature"] as string)).toBe(false);
    }
    // …and refuses a delivery replayed more than 5 minutes later.
    expect(verifySignature(all.secret, sent[0].raw, sent[0].headers["x-bailianchat-signature"] as string, Date.now() + 6 * 60_000)).toBe(
      false,
    );

    const log = await deliveries(all.webhook.id);
    expect(log).toHaveLength(4);
    for (const d of log) {
      expect(d.state).toBe("delivered");
      expect(d.attempts).toEqual([{ attempt: 1, statusCode: 200, latencyMs: expect.any(Number), error: null, at: expect.any(String) }]);
    }
  });

  it("sends message.created for a team member's reply and for the visitor's message while a person handles the conversation", async () => {
    const team = await createSite(h, cookie);
    const on = await h.request(`/api/sites/${team.id}`, { ...json({ handoff: { enabled: true } }, { cookie }), method: "PATCH" });
    expect(on.status).toBe(200);
    await addWebhook("/team", ["message.created"], cookie, team.id);
    const visitor = await startVisitor(h, team.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Let me see." });
    await readSse(await sendMessage(h, visitor, "Is my parcel lost?"));
    const replied = await h.request(
      `/api/sites/${team.id}/conversations/${visitor.conversationId}/messages`,
      json({ content: "I'm checking it now." }, { cookie }),
    );
    expect(replied.status).toBe(201);
    const held = await readSse(await sendMessage(h, visitor, "Thank you!"));
    expect(held.map((e) => e.event)).toEqual(["handoff"]);
    await h.deps.tasks.idle();
    const sent = receiver.events
      .filter((e) => e.path === "/team")
      .map((e) => e.event.data as { message: { role: string; content: string } });
    expect(sent.map((d) => [d.message.role, d.message.content]).sort()).toEqual([
      ["agent", "I'm checking it now."],
      ["assistant", "Let me see."],
      ["user", "Is my parcel lost?"],
      ["user", "Thank you!"],
    ]);
  });

  it("retries a receiver that answered 500 after the back-off, logging both attempts; a disabled webhook is sent nothing", async () => {
    const { webhook } = await addWebhook("/flaky", ["message.created"]);
    receiver.answer("/flaky", 500);
    const test = await h.request(`${hooks()}/${webhook.id}/test`, { method: "POST", headers: { cookie } });
    expect(test.status).toBe(200);
    const { delivery } = (await test.json()) as { delivery: Delivery };
    expect(delivery).toMatchObject({ type: "webhook.test", state: "pending", attempts: [{ attempt: 1, statusCode: 500 }] });

    // Not due before the back-off (30 s) has passed.
    await later(10_000);
    expect((await deliveries(webhook.id))[0].attempts).toHaveLength(1);
    await later(31_000);
    const [retried] = await deliveries(webhook.id);
    expect(retried).toMatchObject({ id: delivery.id, state: "delivered" });
    expect(retried.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, "The receiver answered 500."],
      [2, 200, null],
    ]);
    const sent = receiver.received.filter((r) => r.path === "/flaky");
    expect(sent.map((r) => r.headers["x-bailianchat-event-id"])).toEqual([delivery.eventId, delivery.eventId]);
    expect(receiver.events.filter((e) => e.path === "/flaky").map((e) => e.event.type)).toEqual(["webhook.test"]);

    const off = await h.request(`${hooks()}/${webhook.id}`, { ...json({ enabled: false }, { cookie }), method: "PATCH" });
    expect(await off.json()).toMatchObject({ webhook: { enabled: false } });
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Hello." });
    await readSse(await sendMessage(h, visitor, "Hi"));
    await h.deps.tasks.idle();
    expect(receiver.received.filter((r) => r.path === "/flaky")).toHaveLength(2);
  });

  it("does not follow a redirect: the 302 is a failed attempt, retried later", async () => {
    const { webhook } = await addWebhook("/moved", ["message.created"]);
    receiver.answer("/moved", 302);
    const { delivery } = (await (await h.request(`${hooks()}/${webhook.id}/test`, { method: "POST", headers: { cookie } })).json()) as {
      delivery: Delivery;
    };
    expect(delivery).toMatchObject({ state: "pending", attempts: [{ attempt: 1, statusCode: 302 }] });
    expect(delivery.attempts[0].error).toBe("The receiver answered 302; redirects are not followed.");
    expect(receiver.received.filter((r) => r.path === "/followed")).toEqual([]);
  });

  it("refuses private, loopback and metadata URLs at creation unless FETCH_ALLOW_HOSTS lists them, and blocks a name that leads to one at delivery", async () => {
    for (const url of [
      "http://10.0.0.7/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://100.100.100.200/",
      "http://[::1]/hook",
      `http://127.0.0.1:${receiver.port + 1}/hook`,
    ]) {
      await expectError(await h.request(hooks(), json({ url, events: ["message.created"] }, { cookie })), 400, "url_not_allowed");
    }
    await expectError(
      await h.request(hooks(), json({ url: "ftp://example.com/hook", events: ["message.created"] }, { cookie })),
      400,
      "url_not_allowed",
    );
    await expectError(await h.request(hooks(), json({ url: receiver.url("/x"), events: [] }, { cookie })), 400, "invalid_body");
    // The secret is the server's to choose.
    await expectError(
      await h.request(hooks(), json({ url: receiver.url("/x"), events: ["message.created"], secret: "mine" }, { cookie })),
      400,
      "invalid_body",
    );

    // Accepted while its address was allowed; by delivery time the name points at loopback (as
    // DNS rebinding would), a host:port FETCH_ALLOW_HOSTS does not list.
    const { webhook } = await addWebhook("/rebound", ["message.created"]);
    await h.deps.db
      .updateTable("webhooks")
      .set({ url: `http://localhost:${receiver.port}/rebound` })
      .where("id", "=", webhook.id)
      .execute();
    const test = await h.request(`${hooks()}/${webhook.id}/test`, { method: "POST", headers: { cookie } });
    const { delivery } = (await test.json()) as { delivery: Delivery };
    expect(delivery.state).toBe("pending");
    expect(delivery.attempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: null, error: expect.stringContaining("address the server does not fetch from") }),
    ]);
    expect(receiver.received.filter((r) => r.path === "/rebound")).toEqual([]);

    // A day after the event, the last attempt leaves it failed.
    await later(DELIVERY_WINDOW_MS + 60_000);
    const [failed] = await deliveries(webhook.id);
    expect(failed.state).toBe("failed");
    expect(failed.attempts).toHaveLength(2);
    expect(receiver.received.filter((r) => r.path === "/rebound")).toEqual([]);
  });

  it("shows the secret once: never in the list, a change, the deliveries, the database or the logs", async () => {
    const { webhook, secret } = await addWebhook("/secret", ["lead.captured"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const texts = [
      await (await h.request(hooks(), { headers: { cookie } })).text(),
      await (
        await h.request(`${hooks()}/${webhook.id}`, { ...json({ events: ["handoff.requested"] }, { cookie }), method: "PATCH" })
      ).text(),
      await (await h.request(`${hooks()}/${webhook.id}/test`, { method: "POST", headers: { cookie } })).text(),
      await (await h.request(`${hooks()}/${webhook.id}/deliveries`, { headers: { cookie } })).text(),
      JSON.stringify(await h.deps.db.selectFrom("webhooks").selectAll().execute()),
      JSON.stringify(h.logs),
    ];
    for (const text of texts) expect(text).not.toContain(secret);
    const listed = JSON.parse(texts[0]) as { webhooks: Array<Record<string, unknown>> };
    expect(listed.webhooks.find((w) => w.id === webhook.id)).toEqual({
      id: webhook.id,
      url: receiver.url("/secret"),
      events: ["lead.captured"],
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.parse(texts[1])).toMatchObject({ webhook: { id: webhook.id, events: ["handoff.requested"] } });
  });

  it("keeps webhooks to their site's admins: another owner finds nothing, an agent is refused, at most 10 a site", async () => {
    const { webhook } = await addWebhook("/mine", ["message.created"]);
    const other = await signUpOwner(h);
    const otherSite = await createSite(h, other.cookie);
    const as = { cookie: other.cookie };
    await expectError(await h.request(hooks(), { headers: as }), 404, "not_found");
    await expectError(await h.request(`${hooks()}/${webhook.id}`, { ...json({ enabled: false }, as), method: "PATCH" }), 404, "not_found");
    await expectError(await h.request(`${hooks()}/${webhook.id}`, { method: "DELETE", headers: as }), 404, "not_found");
    await expectError(await h.request(`${hooks()}/${webhook.id}/test`, { method: "POST", headers: as }), 404, "not_found");
    await expectError(await h.request(`${hooks()}/${webhook.id}/deliveries`, { headers: as }), 404, "not_found");
    // Their own site's path with this site's webhook id: not theirs either.
    await expectError(await h.request(`${hooks(otherSite.id)}/${webhook.id}`, { method: "DELETE", headers: as }), 404, "not_found");
    await expectError(await h.request(`${hooks(otherSite.id)}/${webhook.id}/deliveries`, { headers: as }), 404, "not_found");

    // A member of the team with the agent role (the row the members feature writes) may not.
    await h.deps.db
      .insertInto("site_members")
      .values({ site_id: site.id, account_id: other.ownerId, role: "agent", created_at: h.deps.now() })
      .execute();
    await expectError(await h.request(hooks(), { headers: as }), 403, "forbidden");
    await expectError(await h.request(hooks(), json({ url: receiver.url("/agent"), events: ["message.created"] }, as)), 403, "forbidden");
    await expectError(await h.request(`${hooks()}/${webhook.id}`, { method: "DELETE", headers: as }), 403, "forbidden");
    // An admin may.
    await h.deps.db.updateTable("site_members").set({ role: "admin" }).where("account_id", "=", other.ownerId).execute();
    expect((await h.request(hooks(), { headers: as })).status).toBe(200);

    const fresh = await createSite(h, cookie);
    for (let i = 0; i < 10; i++) await addWebhook(`/many/${i}`, ["message.created"], cookie, fresh.id);
    await expectError(
      await h.request(hooks(fresh.id), json({ url: receiver.url("/many/10"), events: ["message.created"] }, { cookie })),
      400,
      "webhook_limit",
    );

    // Deleting the site deletes its webhooks, deliveries and attempts (and their jobs).
    const [first] = (await (await h.request(hooks(fresh.id), { headers: { cookie } })).json()).webhooks as Array<{ id: string }>;
    expect((await h.request(`${hooks(fresh.id)}/${first.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
    const { webhook: doomed } = await addWebhook("/doomed", ["message.created"], cookie, fresh.id);
    receiver.answer("/doomed", 500);
    expect((await h.request(`${hooks(fresh.id)}/${doomed.id}/test`, { method: "POST", headers: { cookie } })).status).toBe(200);
    expect((await h.request(`/api/sites/${fresh.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
    for (const table of ["webhooks", "webhook_deliveries", "webhook_attempts", "jobs"] as const) {
      expect(await h.deps.db.selectFrom(table).select("id").where("site_id", "=", fresh.id).execute(), table).toEqual([]);
    }

    const gone = await h.request(`${hooks()}/${webhook.id}`, { method: "DELETE", headers: { cookie } });
    expect(gone.status).toBe(204);
    await expectError(await h.request(`${hooks()}/${webhook.id}/deliveries`, { headers: { cookie } }), 404, "not_found");
  });
});
