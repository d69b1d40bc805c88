// @vitest-environment node
import { describe, expect, it } from "vitest";
import { dashboardFixture } from "./fixture.js";
import { heading, text, waitFor } from "./support.js";

/** An answer whose server instance died while it streamed, as the owner reads it. */
describe("the dashboard: an answer cut off by a lost instance", () => {
  const f = dashboardFixture(async (chat) => {
    await chat("Tell me everything", { kind: "answer", text: "Everything starts with a" });
  });

  it("is shown as partial, with its text up to the last checkpoint and the reason in words", async () => {
    const db = f.h.deps.db;
    const answer = await db
      .selectFrom("messages")
      .select(["id", "conversation_id"])
      .where("site_id", "=", f.site.id)
      .where("role", "=", "assistant")
      .where("content", "=", "Everything starts with a")
      .executeTakeFirstOrThrow();
    // As a killed instance leaves it: still marked streaming, its last checkpoint long ago.
    await db
      .updateTable("messages")
      .set({ status: "streaming", checkpoint_at: Date.now() - 10 * f.h.deps.config.answerLeaseMs, error_code: null })
      .where("id", "=", answer.id)
      .execute();

    f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations/${answer.conversation_id}`);
    await waitFor(() => expect(document.querySelectorAll(".message")).toHaveLength(2));
    expect(heading()).toBe("Tell me everything");
    const cut = document.querySelectorAll(".message")[1];
    expect(text(cut.querySelector(".badge"))).toBe("Status: Partial");
    expect(text(cut.querySelector(".message__text"))).toBe("Everything starts with a");
    expect(text(cut.querySelector(".message__reason"))).toMatch(/^The server instance writing this answer stopped/);
    const stored = await db.selectFrom("messages").select(["status", "error_code"]).where("id", "=", answer.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: "partial", error_code: "instance_lost" });
  });
});
