import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { captureMailer } from "./support/mail-capture.js";
import {
  type Harness,
  PUBLIC_URL,
  SITE_ORIGIN,
  createHarness,
  createSite,
  json,
  readSse,
  sendMessage,
  signUpOwner,
  signUpVerifiedOwner,
  startVisitor,
  uniqueEmail,
} from "./support/harness.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
type Owner = Awaited<ReturnType<typeof signUpOwner>>;

const patch = (body: unknown, cookie: string): RequestInit => ({ ...json(body, { cookie }), method: "PATCH" });

describe.each(DIALECTS)("handing a conversation over to a person (%s)", (dialect) => {
  let h: Harness;
  const mailer = captureMailer();
  let owner: Owner;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { mailer });
    owner = await signUpVerifiedOwner(h, uniqueEmail("mei"));
    site = await createSite(h, owner.cookie, { bot: { language: "en" } });
    const res = await h.request(`/api/sites/${site.id}`, patch({ handoff: { enabled: true } }, owner.cookie));
    expect(res.status).toBe(200);
  });
  afterAll(() => h.close());

  const chatCalls = () => h.fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
  const base = (siteId: string, conversationId: string) => `/api/sites/${siteId}/conversations/${conversationId}`;

  async function ask(visitor: Visitor, content: string, answer = "An answer from the bot.") {
    h.fake.enqueue({ kind: "answer", text: answer });
    return readSse(await sendMessage(h, visitor, content));
  }
  async function visitorView(visitor: Visitor) {
    const res = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; messages: Array<{ role: string; content: string; authorName: string | null }> };
  }
  const askForPerson = (visitor: Visitor, body: unknown = {}) =>
    h.request(`/v1/conversations/${visitor.conversationId}/handoff`, json(body, visitor.headers));
  async function inbox(cookie: string, siteId: string, query = "") {
    const res = await h.request(`/api/sites/${siteId}/conversations${query}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { conversations: any[] }).conversations;
  }
  const reply = (cookie: string, siteId: string, conversationId: string, content: string) =>
    h.request(`${base(siteId, conversationId)}/messages`, json({ content }, { cookie }));
  const events = (conversationId: string) =>
    h.deps.db.selectFrom("site_events").selectAll().where("conversation_id", "=", conversationId).orderBy("id").execute();

  describe("settings", () => {
    it("PATCH merges handoff field by field, GET answers it, the widget config says it is on; bad values are refused and change nothing", async () => {
      const other = await createSite(h, owner.cookie);
      const off = await h.request(`/v1/widget/${other.siteKey}/config`, { headers: { origin: SITE_ORIGIN } });
      expect(((await off.json()) as any).handoff).toEqual({ enabled: false });

      const hours = [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }];
      let res = await h.request(`/api/sites/${other.id}`, patch({ handoff: { enabled: true, officeHours: hours } }, owner.cookie));
      expect(res.status).toBe(200);
      res = await h.request(`/api/sites/${other.id}`, patch({ handoff: { timeZone: "Europe/Berlin", waitSeconds: 300 } }, owner.cookie));
      const expected = { enabled: true, timeZone: "Europe/Berlin", officeHours: hours, waitSeconds: 300 };
      expect(((await res.json()) as any).site.handoff).toEqual(expected);
      const got = await h.request(`/api/sites/${other.id}`, { headers: { cookie: owner.cookie } });
      expect(((await got.json()) as any).site.handoff).toEqual(expected);
      const config = await h.request(`/v1/widget/${other.siteKey}/config`, { headers: { origin: SITE_ORIGIN } });
      expect(((await config.json()) as any).handoff).toEqual({ enabled: true });

      for (const bad of [
        { waitSeconds: 10 },
        { waitSeconds: 7200 },
        { timeZone: "Mars/Olympus_Mons" },
        { officeHours: [{ days: [1], from: "18:00", to: "09:00" }] },
        { officeHours: [{ days: [7], from: "09:00", to: "18:00" }] },
        { officeHours: [{ days: [1], from: "9am", to: "18:00" }] },
        { enabled: "yes" },
        { unknown: true },
      ]) {
        await expectError(await h.request(`/api/sites/${other.id}`, patch({ handoff: bad }, owner.cookie)), 400, "invalid_body");
      }
      const after = await h.request(`/api/sites/${other.id}`, { headers: { cookie: owner.cookie } });
      expect(((await after.json()) as any).site.handoff).toEqual(expected);
    });

    it("a site that does not hand over answers 409 handoff_unavailable to the visitor's request and to an email", async () => {
      const other = await createSite(h, owner.cookie);
      const visitor = await startVisitor(h, other.siteKey);
      await expectError(await askForPerson(visitor), 409, "handoff_unavailable");
      const lead = await h.request(`/v1/conversations/${visitor.conversationId}/lead`, json({ email: "a@b.example" }, visitor.headers));
      await expectError(lead, 409, "handoff_unavailable");
      expect((await visitorView(visitor)).status).toBe("bot");
    });
  });

  it("outside office hours (on the site's clock) the visitor is told nobody is there: online false, with the site's wait", async () => {
    const shop = await createSite(h, owner.cookie);
    const officeHours = [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }];
    await h.request(`/api/sites/${shop.id}`, patch({ handoff: { enabled: true, officeHours, waitSeconds: 60 } }, owner.cookie));
    const visitor = await startVisitor(h, shop.siteKey);
    const asking = async (iso: string) => {
      const ms = Date.parse(iso);
      h.deps.now = () => ms;
      try {
        return (await (await askForPerson(visitor)).json()) as { online: boolean; waitSeconds: number };
      } finally {
        h.deps.now = () => Date.now();
      }
    };
    // Wednesday 10:00 and 20:00 in Shanghai; Saturday 10:00 there.
    expect(await asking("2026-12-02T02:00:00Z")).toMatchObject({ online: true, waitSeconds: 60 });
    expect(await asking("2026-12-02T12:00:00Z")).toMatchObject({ online: false, waitSeconds: 60 });
    expect(await asking("2026-12-05T02:00:00Z")).toMatchObject({ online: false });
    // Monday 10:00 UTC would be open on UTC's clock; in Shanghai it is 18:00, closed.
    expect(await asking("2026-11-30T10:00:00Z")).toMatchObject({ online: false });
  });

  it("bot → waiting → human → closed → bot: the model is never called while a person is involved, and resumes with the person's words", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    await ask(visitor, "Where is my parcel?", "Let me look.");
    expect((await visitorView(visitor)).status).toBe("bot");

    // The visitor asks for a person.
    const asked = await askForPerson(visitor, { reason: "The bot cannot find my parcel." });
    expect(asked.status).toBe(200);
    expect(await asked.json()).toEqual({ conversation: { id: visitor.conversationId, status: "waiting" }, online: true, waitSeconds: 120 });
    const rung = (await events(visitor.conversationId)).filter((e) => e.type === "conversation");
    expect(JSON.parse(rung.at(-1)!.data).conversation).toMatchObject({ id: visitor.conversationId, status: "waiting" });

    // While waiting: stored and delivered, one handoff event, no model call.
    const calls = chatCalls();
    const waiting = await readSse(await sendMessage(h, visitor, "Hello? Anyone there?"));
    expect(waiting.map((e) => e.event)).toEqual(["handoff"]);
    expect(waiting[0].data).toEqual({ userMessageId: expect.any(String), status: "waiting" });
    expect(chatCalls()).toBe(calls);
    const published = (await events(visitor.conversationId)).filter((e) => e.type === "message");
    expect(JSON.parse(published.at(-1)!.data).message).toMatchObject({ id: waiting[0].data.userMessageId, role: "user" });

    // The inbox shows it first, waiting, with what the team has not read.
    const [first] = await inbox(owner.cookie, site.id);
    expect(first).toMatchObject({ id: visitor.conversationId, status: "waiting", assigneeId: null, unread: 2 });
    expect((await inbox(owner.cookie, site.id, "?status=waiting")).map((c) => c.id)).toEqual([visitor.conversationId]);

    // The owner replies: role agent with their name; the conversation is theirs now.
    const replied = await reply(owner.cookie, site.id, visitor.conversationId, "Hi, I'm checking your parcel now.");
    expect(replied.status).toBe(201);
    const localPart = owner.email.split("@")[0];
    expect(((await replied.json()) as any).message).toMatchObject({
      role: "agent",
      authorName: localPart,
      content: "Hi, I'm checking your parcel now.",
    });
    const seen = await visitorView(visitor);
    expect(seen.status).toBe("human");
    expect(seen.messages.at(-1)).toMatchObject({ role: "agent", authorName: localPart });
    const [row] = await inbox(owner.cookie, site.id, "?status=human");
    expect(row).toMatchObject({ id: visitor.conversationId, assigneeId: owner.ownerId, assigneeName: localPart, unread: 0 });
    const status = (await events(visitor.conversationId)).filter((e) => e.type === "status").map((e) => JSON.parse(e.data));
    expect(status.at(-1)).toEqual({ status: "human", agentName: localPart });

    // While a person answers: still no model, and a retry does not call it either.
    const human = await readSse(await sendMessage(h, visitor, "Thanks! It was order 1234."));
    expect(human.map((e) => e.event)).toEqual(["handoff"]);
    expect(human[0].data.status).toBe("human");
    const retried = await readSse(
      await h.request(
        `/v1/conversations/${visitor.conversationId}/retry`,
        json({ userMessageId: human[0].data.userMessageId }, visitor.headers),
      ),
    );
    expect(retried.map((e) => e.event)).toEqual(["handoff"]);
    expect(chatCalls()).toBe(calls);
    expect((await inbox(owner.cookie, site.id, "?status=open"))[0]).toMatchObject({ id: visitor.conversationId, unread: 1 });

    // The team hands it back to the bot: the model sees what the person said as the assistant's side.
    const back = await h.request(base(site.id, visitor.conversationId), patch({ status: "bot" }, owner.cookie));
    expect(back.status).toBe(200);
    expect(((await back.json()) as any).conversation.status).toBe("bot");
    const resumed = await ask(visitor, "Can you tell me when it arrives?", "Tomorrow.");
    expect(resumed.at(-1)!.event).toBe("done");
    expect(chatCalls()).toBe(calls + 1);
    const sent = h.fake.requests.filter((r) => r.path.endsWith("/chat/completions")).at(-1)!.body.messages;
    expect(sent).toContainEqual({ role: "assistant", content: "Hi, I'm checking your parcel now." });
    expect(sent.at(-1)).toEqual({ role: "user", content: "Can you tell me when it arrives?" });

    // Closed, then the visitor writes again: reopened as the bot's, answered as usual.
    await h.request(base(site.id, visitor.conversationId), patch({ status: "closed" }, owner.cookie));
    expect((await inbox(owner.cookie, site.id, "?status=closed")).map((c) => c.id)).toContain(visitor.conversationId);
    const reopened = await ask(visitor, "One more question.", "Sure.");
    expect(reopened.map((e) => e.event)).toContain("done");
    expect((await visitorView(visitor)).status).toBe("bot");
  });

  it("opening a conversation marks it read; the inbox orders waiting first, then human, then newest", async () => {
    const [a, b, c] = [await startVisitor(h, site.siteKey), await startVisitor(h, site.siteKey), await startVisitor(h, site.siteKey)];
    await ask(a, "First");
    await ask(b, "Second");
    await ask(c, "Third");
    await askForPerson(a);
    await askForPerson(b);
    await reply(owner.cookie, site.id, b.conversationId, "I'm here.");
    const order = (await inbox(owner.cookie, site.id)).map((x) => x.id);
    expect(order.indexOf(a.conversationId)).toBeLessThan(order.indexOf(b.conversationId));
    expect(order.indexOf(b.conversationId)).toBeLessThan(order.indexOf(c.conversationId));
    // Paging keeps that order.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.request(`/api/sites/${site.id}/conversations?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        headers: { cookie: owner.cookie },
      });
      const page = (await res.json()) as { conversations: Array<{ id: string }>; nextCursor: string | null };
      paged.push(...page.conversations.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(order);

    expect((await inbox(owner.cookie, site.id)).find((x) => x.id === c.conversationId).unread).toBe(1);
    const opened = await h.request(base(site.id, c.conversationId), { headers: { cookie: owner.cookie } });
    expect(((await opened.json()) as any).conversation.unread).toBe(0);
    expect((await inbox(owner.cookie, site.id)).find((x) => x.id === c.conversationId).unread).toBe(0);
  });

  describe("the bot offers a person", () => {
    it("when asked in words, in Chinese and in English: a fixed answer in that language with offerHandoff, no model call", async () => {
      const visitor = await startVisitor(h, site.siteKey);
      const calls = chatCalls();
      const zh = await readSse(await sendMessage(h, visitor, "转人工"));
      expect(zh.at(-1)).toMatchObject({ event: "done", data: { status: "complete", offerHandoff: true } });
      expect(
        zh
          .filter((e) => e.event === "delta")
          .map((e) => e.data.text)
          .join(""),
      ).toMatch(/人工/);
      const en = await readSse(await sendMessage(h, visitor, "Can I talk to a human?"));
      expect(en.at(-1)).toMatchObject({ event: "done", data: { offerHandoff: true } });
      expect(
        en
          .filter((e) => e.event === "delta")
          .map((e) => e.data.text)
          .join(""),
      ).toMatch(/talk to a person/);
      expect(chatCalls()).toBe(calls);
      // An ordinary question is the model's, and offers nothing.
      const plain = await ask(visitor, "What is artificial intelligence?");
      expect(plain.at(-1)!.data.offerHandoff).toBeUndefined();
      expect(chatCalls()).toBe(calls + 1);
    });

    it("not on a site that does not hand over: the model answers the words like any question", async () => {
      const other = await createSite(h, owner.cookie);
      const visitor = await startVisitor(h, other.siteKey);
      const calls = chatCalls();
      const events = await ask(visitor, "转人工");
      expect(events.at(-1)!.data.offerHandoff).toBeUndefined();
      expect(chatCalls()).toBe(calls + 1);
    });

    it("when knowledge-only finds nothing", async () => {
      const only = await createSite(h, owner.cookie, { bot: { knowledge: "only", language: "en" } });
      await h.request(`/api/sites/${only.id}`, patch({ handoff: { enabled: true } }, owner.cookie));
      const res = await h.request(
        `/api/sites/${only.id}/knowledge`,
        json(
          { kind: "text", title: "Shipping", text: "Every order ships within two working days from Hangzhou." },
          { cookie: owner.cookie },
        ),
      );
      expect(res.status).toBe(201);
      const visitor = await startVisitor(h, only.siteKey);
      const calls = chatCalls();
      const events = await readSse(await sendMessage(h, visitor, "Who won the football world cup in 1998?"));
      expect(events.at(-1)).toMatchObject({ event: "done", data: { offerHandoff: true } });
      expect(chatCalls()).toBe(calls);
    });
  });

  it("a visitor leaves an email: validated, stored, in the inbox, mailed to the owner and each member in their language", async () => {
    const member = await signUpOwner(h, uniqueEmail("li"));
    await h.deps.db.updateTable("owners").set({ language: "en", display_name: "Li" }).where("id", "=", member.ownerId).execute();
    await h.deps.db
      .insertInto("site_members")
      .values({ site_id: site.id, account_id: member.ownerId, role: "agent", created_at: h.deps.now() })
      .execute();
    const visitor = await startVisitor(h, site.siteKey);
    await ask(visitor, "Do you ship to Taiwan?");
    await askForPerson(visitor);
    const lead = (body: unknown) => h.request(`/v1/conversations/${visitor.conversationId}/lead`, json(body, visitor.headers));
    for (const bad of [{ email: "not an email" }, { email: "a@" }, {}, { email: `${"a".repeat(250)}@b.example` }]) {
      await expectError(await lead(bad), 400, "invalid_body");
    }
    mailer.sent.length = 0;
    const ok = await lead({ email: "visitor@buyer.example" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    const stored = await h.deps.db
      .selectFrom("conversations")
      .select("visitor_email")
      .where("id", "=", visitor.conversationId)
      .executeTakeFirstOrThrow();
    expect(stored.visitor_email).toBe("visitor@buyer.example");
    expect((await inbox(owner.cookie, site.id)).find((c) => c.id === visitor.conversationId).visitorEmail).toBe("visitor@buyer.example");

    await h.deps.tasks.idle();
    const link = `${PUBLIC_URL}/dashboard/sites/${site.id}/conversations/${visitor.conversationId}`;
    expect(mailer.sent.map((m) => m.to).sort()).toEqual([owner.email, member.email].sort());
    const toOwner = mailer.sent.find((m) => m.to === owner.email)!;
    expect(toOwner).toMatchObject({ kind: "lead", link });
    expect(toOwner.text).toContain("visitor@buyer.example");
    expect(toOwner.subject).toMatch(/访客/);
    const toMember = mailer.sent.find((m) => m.to === member.email)!;
    expect(toMember.subject).toMatch(/left their email/);
    expect(toMember.text).toContain(link);
  });

  describe("the team", () => {
    it("a member replies with their display name; assignees must be on the team; typing is published", async () => {
      const member = await signUpOwner(h, uniqueEmail("agent"));
      await h.deps.db.updateTable("owners").set({ display_name: "小王" }).where("id", "=", member.ownerId).execute();
      await h.deps.db
        .insertInto("site_members")
        .values({ site_id: site.id, account_id: member.ownerId, role: "agent", created_at: h.deps.now() })
        .execute();
      const stranger = await signUpOwner(h);
      const visitor = await startVisitor(h, site.siteKey);
      await ask(visitor, "Hello");
      await askForPerson(visitor);

      const res = await reply(member.cookie, site.id, visitor.conversationId, "你好，我是小王。");
      expect(res.status).toBe(201);
      expect(((await res.json()) as any).message.authorName).toBe("小王");
      expect((await visitorView(visitor)).messages.at(-1)).toMatchObject({ role: "agent", authorName: "小王" });
      const row = (await inbox(member.cookie, site.id)).find((c) => c.id === visitor.conversationId);
      expect(row).toMatchObject({ status: "human", assigneeId: member.ownerId, assigneeName: "小王" });

      const conv = base(site.id, visitor.conversationId);
      const refused = await h.request(conv, patch({ assigneeId: stranger.ownerId }, owner.cookie));
      const body = await expectError(refused, 400, "invalid_body");
      expect(body.error.issues?.map((i) => i.path)).toEqual(["assigneeId"]);
      const toOwner = await h.request(conv, patch({ assigneeId: owner.ownerId }, member.cookie));
      expect(((await toOwner.json()) as any).conversation).toMatchObject({
        assigneeId: owner.ownerId,
        assigneeName: owner.email.split("@")[0],
      });

      const typing = await h.request(`${conv}/typing`, { method: "POST", headers: { cookie: member.cookie } });
      expect(typing.status).toBe(204);
      const last = (await events(visitor.conversationId)).at(-1)!;
      expect({ type: last.type, data: JSON.parse(last.data) }).toEqual({ type: "typing", data: { agentName: "小王" } });

      // A message from the team is bounded like a visitor's.
      await expectError(await reply(member.cookie, site.id, visitor.conversationId, "x".repeat(4001)), 400, "invalid_body");
      await expectError(await reply(member.cookie, site.id, visitor.conversationId, "   "), 400, "invalid_body");
    });

    it("an outsider, or a member of another site, cannot touch the site's conversations", async () => {
      const visitor = await startVisitor(h, site.siteKey);
      await ask(visitor, "Private question");
      const outsider = await signUpVerifiedOwner(h);
      const theirSite = await createSite(h, outsider.cookie);
      const before = await visitorView(visitor);
      for (const [siteId, cookie] of [
        [site.id, outsider.cookie],
        [theirSite.id, outsider.cookie],
      ]) {
        const conv = base(siteId, visitor.conversationId);
        await expectError(await h.request(conv, { headers: { cookie } }), 404, "not_found");
        await expectError(await reply(cookie, siteId, visitor.conversationId, "Hi from outside"), 404, "not_found");
        await expectError(await h.request(conv, patch({ status: "closed" }, cookie)), 404, "not_found");
        await expectError(await h.request(`${conv}/typing`, { method: "POST", headers: { cookie } }), 404, "not_found");
      }
      await expectError(await h.request(`/api/sites/${site.id}/conversations`, { headers: { cookie: outsider.cookie } }), 404, "not_found");
      // A visitor of another site cannot ask for a person in this one's conversation.
      await h.request(`/api/sites/${theirSite.id}`, patch({ handoff: { enabled: true } }, outsider.cookie));
      const theirs = await startVisitor(h, theirSite.siteKey);
      await expectError(await h.request(`/v1/conversations/${visitor.conversationId}/handoff`, json({}, theirs.headers)), 404, "not_found");
      expect(await visitorView(visitor)).toEqual(before);
    });
  });
});
