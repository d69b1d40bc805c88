import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promptTokens } from "../src/llm/dashscope-fake/protocol.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

/** chat.service.ts's budget for the history sent with a question (the system prompt aside). */
const HISTORY_TOKEN_BUDGET = 6000;

// Regression (issue 11, hole 10): the history's token estimate (a CJK character one token, other
// text four characters a token) let Thai, emoji and CJK Extension B text through at two to four
// times the budget, and messages were capped in characters whatever they cost.
const SCRIPTS = [
  { name: "Thai", text: "สวัสดีครับ ขอสอบถามเรื่องการจัดส่งสินค้าหน่อยครับ", perChar: 3 },
  { name: "emoji", text: "😀🎉👍🙏🚀", perChar: 4 },
  { name: "CJK Extension B", text: "𠀋𠂉𠃌𠄎𠈓𠌫𠍱𠎁", perChar: 4 },
];

describe.each(DIALECTS)("token estimates that never undercount (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
  });
  afterAll(() => h.close());

  it.each(SCRIPTS)("the history sent with a question stays within the budget, by DashScope's count, in $name", async ({ text }) => {
    const site = await createSite(h, cookie, { bot: { systemPrompt: "" }, limits: { visitorMessagesPerMinute: 100 } });
    const visitor = await startVisitor(h, site.siteKey);
    // Long questions (each within the message limit) and long answers, in the script.
    const long = (n: number) => Array.from({ length: Math.ceil(n / Array.from(text).length) }, () => text).join("");
    for (let i = 0; i < 10; i++) {
      h.fake.enqueue({ kind: "answer", text: long(300) });
      const events = await readSse(await sendMessage(h, visitor, long(500) + String(i)));
      expect(events.at(-1)!.event).toBe("done");
    }
    const sent = h.fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(sent.messages.length).toBeGreaterThan(1);
    expect(sent.messages.every((m) => m.role !== "system")).toBe(true);
    // The fake counts these scripts as the real tokenizer roughly does (about a token a Thai
    // character, two an emoji or Extension B character), framing included; the reply's opening aside.
    expect(promptTokens(sent) - 3).toBeLessThanOrEqual(HISTORY_TOKEN_BUDGET);
    await h.deps.tasks.idle();
  });

  it.each(SCRIPTS)(
    "a message is capped by the same measure: $name past the bound is refused, at it accepted",
    async ({ text, perChar }) => {
      const site = await createSite(h, cookie);
      const visitor = await startVisitor(h, site.siteKey);
      const chars = Array.from(text);
      const message = (n: number) => Array.from({ length: n }, (_, i) => chars[i % chars.length]).join("");
      const fits = Math.floor(6000 / perChar);
      // Thai has one-byte spaces: fill with its letters only, so each character is 3 bytes.
      const tooLong = message(fits + 1).replaceAll(" ", chars[0]);
      await expectError(await sendMessage(h, visitor, tooLong), 400, "invalid_body");
      h.fake.enqueue({ kind: "answer", text: "ok" });
      const atLimit = message(fits).replaceAll(" ", chars[0]);
      expect((await readSse(await sendMessage(h, visitor, atLimit))).at(-1)!.event).toBe("done");
      await h.deps.tasks.idle();
    },
  );
});
