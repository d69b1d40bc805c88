import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishEvent, pruneSiteEvents, SITE_EVENTS_KEPT_MS } from "../src/live/site-events.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, json, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";
import { ownerMessage, readLive, until } from "./support/live-events.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

// Each database, through the DB poller, and through redis pub/sub when TEST_REDIS_URL is set.
const BACKENDS = DIALECTS.flatMap((dialect) => [
  { name: `${dialect}, DB poller`, dialect, env: {} as Record<string, string> },
  ...(TEST_REDIS_URL ? [{ name: `${dialect}, redis`, dialect, env: { REDIS_URL: TEST_REDIS_URL } }] : []),
]);

describe.each(BACKENDS)("live events ($name)", ({ dialect, env }) => {
  let h: Harness;
  let owner: Awaited<ReturnType<typeof signUpOwner>>;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    // Streams are held for the production 50 s: any that ends here was ended by what the test did.
    h = await createHarness(dialect, env);
    owner = await signUpOwner(h);
    site = await createSite(h, owner.cookie);
    const res = await h.request(`/api/sites/${site.id}`, {
      ...json({ handoff: { enabled: true } }, { cookie: owner.cookie }),
      method: "PATCH",
    });
    expect(res.status).toBe(200);
  }, 30_000);
  afterAll(() => h?.close());

  const setStatus = (conversationId: string, status: "bot" | "waiting" | "human" | "closed") =>
    h.deps.db.updateTable("conversations").set({ status }).where("id", "=", conversationId).execute();

  /** A visitor whose conversation is waiting for a person (as after POST …/handoff). */
  async function waitingVisitor(siteKey = site.siteKey) {
    const visitor = await startVisitor(h, siteKey);
    await setStatus(visitor.conversationId, "waiting");
    return visitor;
  }

  const visitorEvents = (visitor: { conversationId: string; headers: Record<string, string> }, lastEventId?: string, query = "") =>
    h.request(`/v1/conversations/${visitor.conversationId}/events${query}`, {
      headers: { ...visitor.headers, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
    });

  const reply = (conversationId: string, id: string, content: string, role: "user" | "assistant" | "agent" = "agent") =>
    publishEvent(h.deps, {
      siteId: site.id,
      conversationId,
      type: "message",
      data: { conversationId, message: ownerMessage(id, content, role) },
    });

  it("sends a team member's replies, typing and status to the visitor, and resumes after Last-Event-ID with nothing lost or sent twice", async () => {
    const visitor = await waitingVisitor();
    const stream = readLive(await visitorEvents(visitor), "visitor");

    await publishEvent(h.deps, { siteId: site.id, conversationId: visitor.conversationId, type: "typing", data: { agentName: "Mei" } });
    // The visitor's own message and the bot's answers reach them through their own requests.
    await reply(visitor.conversationId, "m_user", "my question", "user");
    await reply(visitor.conversationId, "m1", "Hello, I am Mei");
    await publishEvent(h.deps, {
      siteId: site.id,
      conversationId: visitor.conversationId,
      type: "status",
      data: { status: "human", agentName: "Mei" },
    });
    const got = [await stream.next(), await stream.next(), await stream.next()];
    expect(got.map((e) => e?.event)).toEqual(["typing", "message", "status"]);
    expect(got[1]!.data.message).toMatchObject({ id: "m1", role: "agent", authorName: "Mei", content: "Hello, I am Mei" });
    // The visitor's shape: nothing of the owner's (tokens, timings) leaks.
    expect(got[1]!.data.message).not.toHaveProperty("promptTokens");
    expect(got[2]!.data).toEqual({ status: "human", agentName: "Mei" });
    expect(got.every((e) => e!.id)).toBe(true);
    const seen = stream.lastId()!;
    await stream.close();

    // Away: three more replies; back with the last id it saw, it gets exactly those, once each.
    for (const n of [2, 3, 4]) await reply(visitor.conversationId, `m${n}`, `reply ${n}`);
    const resumed = readLive(await visitorEvents(visitor, seen), "visitor");
    const again = [await resumed.next(), await resumed.next(), await resumed.next()];
    expect(again.map((e) => e!.data.message.id)).toEqual(["m2", "m3", "m4"]);
    await reply(visitor.conversationId, "m5", "reply 5");
    expect((await resumed.next())!.data.message.id).toBe("m5");
    const seen2 = resumed.lastId()!;
    await resumed.close();
    expect(resumed.events.map((e) => e.data.message?.id)).toEqual(["m2", "m3", "m4", "m5"]);

    // A client that cannot set the header gives the id as lastEventId.
    await reply(visitor.conversationId, "m6", "reply 6");
    const byQuery = readLive(await visitorEvents(visitor, undefined, `?lastEventId=${encodeURIComponent(seen2)}`), "visitor");
    expect((await byQuery.next())!.data.message.id).toBe("m6");
    await byQuery.close();
    expect(byQuery.events).toHaveLength(1);
  });

  it("never sends an event of another conversation or another site", async () => {
    const visitor = await waitingVisitor();
    const sameSite = await waitingVisitor();
    const other = await signUpOwner(h);
    const otherSite = await createSite(h, other.cookie);
    const elsewhere = await waitingVisitor(otherSite.siteKey);
    const stream = readLive(await visitorEvents(visitor), "visitor");

    await reply(sameSite.conversationId, "x1", "to someone else");
    await publishEvent(h.deps, {
      siteId: otherSite.id,
      conversationId: elsewhere.conversationId,
      type: "message",
      data: { conversationId: elsewhere.conversationId, message: ownerMessage("x2", "to another site") },
    });
    // A forged row naming this conversation under another site is not this conversation's either.
    await publishEvent(h.deps, {
      siteId: otherSite.id,
      conversationId: visitor.conversationId,
      type: "message",
      data: { conversationId: visitor.conversationId, message: ownerMessage("x3", "forged") },
    });
    await publishEvent(h.deps, { siteId: site.id, conversationId: null, type: "conversation", data: {} });
    await reply(visitor.conversationId, "mine", "for you");
    expect((await stream.next())!.data.message.id).toBe("mine");
    await stream.close();
    expect(stream.events).toHaveLength(1);

    // Nor is another visitor's conversation theirs to listen to.
    const res = await h.request(`/v1/conversations/${sameSite.conversationId}/events`, { headers: visitor.headers });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("holds no stream when no person is involved: bot or closed sends the status and ends", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const bot = readLive(await visitorEvents(visitor), "visitor");
    expect(await bot.ended).toEqual([expect.objectContaining({ event: "status", data: { status: "bot", agentName: null } })]);

    // Waiting, then the team closes it: the close is the stream's last event.
    await setStatus(visitor.conversationId, "waiting");
    const live = readLive(await visitorEvents(visitor), "visitor");
    await reply(visitor.conversationId, "c1", "Anything else?");
    await publishEvent(h.deps, {
      siteId: site.id,
      conversationId: visitor.conversationId,
      type: "status",
      data: { status: "closed", agentName: "Mei" },
    });
    await setStatus(visitor.conversationId, "closed");
    expect((await live.ended).map((e) => e.event)).toEqual(["message", "status"]);
    const before = live.events[0].id!;

    // Back after it closed, from before the close: the missed backlog, then the end.
    const after = readLive(await visitorEvents(visitor, before), "visitor");
    expect((await after.ended).map((e) => [e.event, e.data.status])).toEqual([["status", "closed"]]);
  });

  it("ends a stream on its own after its time (the client reconnects)", async () => {
    const short = await createHarness(dialect, { LIVE_STREAM_MS: "2000", ...env });
    try {
      const o = await signUpOwner(short);
      const s = await createSite(short, o.cookie);
      const visitor = await startVisitor(short, s.siteKey);
      await short.deps.db.updateTable("conversations").set({ status: "human" }).where("id", "=", visitor.conversationId).execute();
      const res = await short.request(`/v1/conversations/${visitor.conversationId}/events`, { headers: visitor.headers });
      expect(await readLive(res, "visitor").ended).toEqual([]);
    } finally {
      await short.close();
    }
  }, 30_000);

  it("does not replay a typing event that is stale", async () => {
    const visitor = await waitingVisitor();
    const stream = readLive(await visitorEvents(visitor), "visitor");
    await reply(visitor.conversationId, "t0", "first");
    await stream.next();
    const seen = stream.lastId()!;
    await stream.close();
    const clock = h.deps.now;
    h.deps.now = () => clock() - 60_000;
    try {
      await publishEvent(h.deps, { siteId: site.id, conversationId: visitor.conversationId, type: "typing", data: { agentName: "Mei" } });
    } finally {
      h.deps.now = clock;
    }
    await reply(visitor.conversationId, "t1", "second");
    const resumed = readLive(await visitorEvents(visitor, seen), "visitor");
    expect((await resumed.next())!.data.message.id).toBe("t1");
    await resumed.close();
    expect(resumed.events.map((e) => e.event)).toEqual(["message"]);
  });

  it("does not skip an event whose row becomes visible after one with a higher id (MySQL commits out of order)", async () => {
    const visitor = await waitingVisitor();
    const stream = readLive(await visitorEvents(visitor), "visitor");
    const top = await h.deps.db
      .selectFrom("site_events")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirstOrThrow();
    const base = Number(top.id ?? 0) + 100;
    // Two transactions took ids base+1 and base+2; base+2 commits first.
    const row = (id: number, messageId: string) => ({
      id,
      site_id: site.id,
      conversation_id: visitor.conversationId,
      type: "message",
      data: JSON.stringify({ conversationId: visitor.conversationId, message: ownerMessage(messageId, messageId) }),
      created_at: h.deps.now(),
    });
    await h.deps.db
      .insertInto("site_events")
      .values(row(base + 2, "later-id"))
      .execute();
    await h.deps.live.notify(site.id);
    expect((await stream.next())!.data.message.id).toBe("later-id");
    const seenBeforeLate = stream.lastId()!;
    await h.deps.db
      .insertInto("site_events")
      .values(row(base + 1, "earlier-id"))
      .execute();
    // No wake-up for it (its publisher's came before its commit): the stream reads again by itself.
    expect((await stream.next())!.data.message.id).toBe("earlier-id");
    await stream.close();
    expect(stream.events.map((e) => e.data.message.id)).toEqual(["later-id", "earlier-id"]);

    // A client that left after the higher id, before the late one showed, still gets it once.
    const resumed = readLive(await visitorEvents(visitor, seenBeforeLate), "visitor");
    expect((await resumed.next())!.data.message.id).toBe("earlier-id");
    await reply(visitor.conversationId, "next", "next");
    expect((await resumed.next())!.data.message.id).toBe("next");
    await resumed.close();
    expect(resumed.events.map((e) => e.data.message.id)).toEqual(["earlier-id", "next"]);
  }, 20_000);

  describe("the team's stream", () => {
    it("sends a site's conversations and messages to a member, resumes, and ends once the member is removed", async () => {
      const member = await signUpOwner(h);
      await h.deps.db
        .insertInto("site_members")
        .values({ site_id: site.id, account_id: member.ownerId, role: "agent", created_at: h.deps.now() })
        .execute();
      const visitor = await startVisitor(h, site.siteKey);
      const open = (lastEventId?: string) =>
        h.request(`/api/sites/${site.id}/events`, {
          headers: { cookie: member.cookie, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
        });
      const stream = readLive(await open(), "team");

      // Through the real routes: the visitor asks for a person and writes; the team's inbox hears both.
      expect((await h.request(`/v1/conversations/${visitor.conversationId}/handoff`, json({}, visitor.headers))).status).toBe(200);
      const asked = await until(stream, (e) => e.event === "conversation");
      expect(asked.data.conversation).toMatchObject({ id: visitor.conversationId, status: "waiting" });
      await (await sendMessage(h, visitor, "Where is my order?")).text();
      const question = await until(stream, (e) => e.event === "message");
      // The owner's shape, as stored: its place in the conversation, its tokens (none for a person).
      expect(question.data).toMatchObject({
        conversationId: visitor.conversationId,
        message: { role: "user", content: "Where is my order?", seq: expect.any(Number), promptTokens: null },
      });
      const seen = stream.lastId()!;
      await stream.close();

      // Away: the owner replies; back with Last-Event-ID, the member gets it once.
      const replied = await h.request(
        `/api/sites/${site.id}/conversations/${visitor.conversationId}/messages`,
        json({ content: "On its way." }, { cookie: owner.cookie }),
      );
      expect(replied.status).toBe(201);
      const back = readLive(await open(seen), "team");
      const answer = await until(back, (e) => e.event === "message");
      expect(answer.data.message).toMatchObject({ role: "agent", content: "On its way." });

      // Removed from the team: the open stream ends within a few seconds, and a new one is refused.
      await h.deps.db.deleteFrom("site_members").where("site_id", "=", site.id).where("account_id", "=", member.ownerId).execute();
      await back.ended;
      const messages = back.events.filter((e) => e.event === "message").map((e) => e.data.message.content);
      expect(messages).toEqual(["On its way."]);
      const refused = await open();
      expect(refused.status).toBe(404);
      await refused.body?.cancel();
    }, 20_000);

    it("refuses another site's team", async () => {
      const stranger = await signUpOwner(h);
      const res = await h.request(`/api/sites/${site.id}/events`, { headers: { cookie: stranger.cookie } });
      expect(res.status).toBe(404);
      await res.body?.cancel();
    });
  });

  it("prunes events older than a day", async () => {
    const visitor = await waitingVisitor();
    const clock = h.deps.now;
    h.deps.now = () => clock() - SITE_EVENTS_KEPT_MS - 60_000;
    try {
      await reply(visitor.conversationId, "old", "old");
    } finally {
      h.deps.now = clock;
    }
    await reply(visitor.conversationId, "new", "new");
    expect(await pruneSiteEvents(h.deps)).toBeGreaterThanOrEqual(1);
    const left = await h.deps.db.selectFrom("site_events").select("data").where("conversation_id", "=", visitor.conversationId).execute();
    expect(left.map((r) => JSON.parse(r.data).message.id)).toEqual(["new"]);
  });
});
