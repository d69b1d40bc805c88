import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteQuotaUse } from "../src/features/quota-alerts/quota-alerts.service.js";
import { sqlCounters } from "../src/security/counters.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import {
  type Harness,
  PUBLIC_URL,
  createHarness,
  createSite,
  readSse,
  sendMessage,
  signUpVerifiedOwner,
  startVisitor,
} from "./support/harness.js";
import { captureMailer } from "./support/mail-capture.js";

// An owner learns that a site nears its monthly quota before visitors are turned away: one mail
// at 80 % and one at 100 % of its messages or tokens, once per site, month and threshold.
describe.each(DIALECTS)("quota alerts by mail (%s)", (dialect) => {
  let h: Harness;
  const mailer = captureMailer();
  const clock = Date.parse("2026-11-20T10:00:20Z");

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { mailer });
    h.deps.now = () => clock;
  });
  afterAll(() => h.close());

  const alertsFor = (to: string) => mailer.sent.filter((m) => m.to === to && m.kind === "quota-alert");

  it("messages: exactly one mail at 80 % and one at 100 %, in zh-CN when the owner chose no language, even with parallel messages", async () => {
    const { cookie, email } = await signUpVerifiedOwner(h);
    const site = await createSite(h, cookie, { name: "Tea <b>&</b> shop", limits: { monthlyMessages: 10, visitorMessagesPerMinute: 600 } });
    const visitor = await startVisitor(h, site.siteKey);
    const responses = await Promise.all(Array.from({ length: 14 }, (_, i) => sendMessage(h, visitor, `Question ${i}`)));
    await Promise.all(responses.map((r) => r.text()));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    // Another instance (counters of its own, nothing remembered) hears of the same month: no second mail.
    noteQuotaUse({ ...h.deps, counters: sqlCounters(h.deps.db) }, site.id, "messages", 14, 10);
    await h.deps.tasks.idle();

    const mails = alertsFor(email);
    expect(mails.map((m) => m.subject).sort()).toEqual([
      "「Tea <b>&</b> shop」已达到本月消息数上限",
      "「Tea <b>&</b> shop」本月消息数已用 80%",
    ]);
    const eighty = mails.find((m) => m.subject.includes("80%"))!;
    expect(eighty.text).toContain("2026-11");
    expect(eighty.text).toMatch(/已使用 (8|9|10) \/ 10 消息数/);
    expect(eighty.link).toBe(`${PUBLIC_URL}/dashboard/sites/${site.id}/usage`);
    expect(eighty.text).toContain(eighty.link);
    // The site's name is the owner's text: escaped in the HTML.
    expect(eighty.html).toContain("Tea &lt;b&gt;&amp;&lt;/b&gt; shop");
    expect(eighty.html).not.toContain("<b>");
    expect(eighty.html).toContain(`<a href="${eighty.link}"`);
  });

  it("tokens: the owner's language; 80 % from the answers' usage, 100 % when an answer no longer fits; once each", async () => {
    const { cookie, email, ownerId } = await signUpVerifiedOwner(h);
    await h.deps.db.updateTable("owners").set({ language: "en" }).where("id", "=", ownerId).execute();
    const site = await createSite(h, cookie, { name: "Shop", bot: { maxOutputTokens: 100 }, limits: { monthlyTokens: 1200 } });
    const visitor = await startVisitor(h, site.siteKey);
    for (let i = 0; i < 3; i++) {
      h.fake.enqueue({ kind: "answer", text: "Answer.", usage: { prompt_tokens: 250, completion_tokens: 110 } });
      const res = await sendMessage(h, visitor, `Question ${i}`);
      expect(res.status, `question ${i}: ${res.status === 200 ? "" : await res.clone().text()}`).toBe(200);
      expect((await readSse(res)).at(-1)!.event).toBe("done");
      await h.deps.tasks.idle();
      // 360, 720, then 1,080 of 1,200: the 80 % mail comes with the third answer, not before.
      expect(alertsFor(email)).toHaveLength(i < 2 ? 0 : 1);
    }
    expect(alertsFor(email)[0]).toMatchObject({
      subject: '"Shop" has used 80% of its monthly tokens',
      text: expect.stringContaining("has used 1,080 of its 1,200 tokens for 2026-11 (UTC), 80% or more."),
    });
    // 120 tokens are left, less than an answer's worst case: refused, and the owner told once.
    const refused = await Promise.all(Array.from({ length: 4 }, () => sendMessage(h, visitor, "More")));
    for (const res of refused) await expectError(res, 429, "quota_exceeded");
    await h.deps.tasks.idle();
    expect(alertsFor(email).map((m) => m.subject)).toEqual([
      '"Shop" has used 80% of its monthly tokens',
      '"Shop" has reached its monthly limit of tokens',
    ]);
    expect(alertsFor(email)[1].text).toContain("tells visitors the assistant is unavailable");
  });
});
