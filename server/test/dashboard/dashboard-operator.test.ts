// @vitest-environment node
import { beforeAll, describe, expect, it } from "vitest";
import { SITE_ORIGIN, signUpOwner } from "../support/harness.js";
import { PLATFORM_TOKENS_KEY, month } from "../../src/security/monthly-quota.js";
import { dashboardFixture } from "./fixture.js";
import { button, click, errorOf, field, heading, text, type, waitFor } from "./support.js";

const OPERATOR = "dash-operator@example.com";

/**
 * The owner's plan and the operator's pages, against the real server: a stranger on the server's
 * default plan (free) sees its ceilings and is told, in their language, which field is above it;
 * the operator (OPERATOR_EMAILS) finds the operator pages in the header and stops a site.
 */
describe("the dashboard: plans and the operator", () => {
  const f = dashboardFixture(undefined, { DEFAULT_PLAN: "", OPERATOR_EMAILS: OPERATOR });
  let operator: Awaited<ReturnType<typeof signUpOwner>>;
  beforeAll(async () => {
    operator = await signUpOwner(f.h, OPERATOR);
  });

  it("an owner sees their plan, its ceilings and the month's use; no operator link", async () => {
    f.signedIn(f.ownerA, "/");
    await waitFor(() => expect(text(document.querySelector(".plan-card h2"))).toBe("Your plan: Free"));
    const card = text(document.querySelector(".plan-card"));
    expect(card).toContain("1 of 3 sites");
    expect(card).toContain("Models: qwen-flash, qwen-plus");
    expect(card).toContain("Answers up to 1024 tokens");
    expect(text(document.querySelector(".plan-card__usage tbody"))).toMatch(/^Lantern Tea\s*1 \/ 500\s*\d+ \/ 1,000,000$/);
    expect([...document.querySelectorAll(".topbar a")].map(text)).not.toContain("Operator");
  });

  it("a suspended owner is told on their sites page why their sites do not answer", async () => {
    const suspend = (suspended: boolean) =>
      f.h.request(`/api/operator/owners/${f.ownerB.ownerId}/suspension`, {
        method: "POST",
        headers: { cookie: operator.cookie, "content-type": "application/json" },
        body: JSON.stringify({ suspended }),
      });
    expect((await suspend(true)).status).toBe(204);
    f.signedIn(f.ownerB, "/");
    await waitFor(() =>
      expect(text(document.querySelector(".plan-card [role=alert]"))).toBe(
        "The platform's operator has suspended your account: none of your sites answers visitors until they lift it.",
      ),
    );
    expect((await suspend(false)).status).toBe(204);
  });

  it("the settings form shows each limit's ceiling, and a value above it is refused beside the field, in the owner's language", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
    await waitFor(() => expect(heading()).toBe("Bot settings"));
    await waitFor(() => expect(text(document.getElementById("limit-monthlyTokens-hint"))).toBe("Your plan allows at most 1,000,000."));
    await type(field("Tokens per month"), "2000000");
    await click(button("Save changes"));
    await waitFor(() => expect(errorOf(field("Tokens per month"))).toBe("Above your plan: at most 1,000,000."));
    expect(text(document.querySelector(".save-bar [role=alert]"))).toBe(
      "Some settings are above what your plan allows. Check the highlighted fields.",
    );
    const stored = await f.h.deps.db.selectFrom("sites").select("limits").where("id", "=", f.site.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.limits!).monthlyTokens).toBe(1_000_000);
  });

  it("the operator opens the operator pages from the header, sees every owner and site, and suspends a site after confirming", async () => {
    f.signedIn(operator, "/");
    await waitFor(() => expect(button("Operator")).toBeTruthy());
    await click(button("Operator"));
    await waitFor(() => expect(heading()).toBe("Operator"));
    await waitFor(() => expect(text(document.querySelector("table tbody"))).toContain(f.ownerA.email));
    expect(text(document.querySelector("table tbody"))).toContain(f.ownerB.email);

    await click(button("Sites"));
    await waitFor(() => expect(text(document.querySelector("table tbody"))).toContain("Lantern Tea"));
    const row = () => [...document.querySelectorAll("tbody tr")].find((r) => text(r).includes("Lantern Tea"))!;
    expect(text(row())).toContain("platform");
    await click(row().querySelector("button")!);
    // A confirmation first: nothing is suspended yet.
    await waitFor(() => expect(text(document.querySelector("[role=alertdialog] h2"))).toBe("Suspend the site “Lantern Tea”?"));
    expect((await f.h.request(`/v1/widget/${f.site.siteKey}/config`, { headers: { origin: SITE_ORIGIN } })).status).toBe(200);
    await click([...document.querySelectorAll<HTMLElement>("[role=alertdialog] button")].find((b) => text(b) === "Suspend")!);
    await waitFor(() => expect(text(row())).toContain("SUSPENDED"));
    const session = await f.h.request(`/v1/widget/${f.site.siteKey}/sessions`, { method: "POST", headers: { origin: SITE_ORIGIN } });
    expect(((await session.json()) as { error: { code: string } }).error.code).toBe("site_suspended");

    // The owner is told on their site's pages.
    f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
    await waitFor(() => expect(text(document.querySelector(".site__head [role=alert]"))).toContain("suspended this site"));

    f.signedIn(operator, "/operator/sites");
    await waitFor(() => expect(text(row())).toContain("Lift suspension"));
    await click(row().querySelector("button")!);
    await waitFor(() => expect(text(row())).not.toContain("SUSPENDED"));
    expect((await f.h.request(`/v1/widget/${f.site.siteKey}/sessions`, { method: "POST", headers: { origin: SITE_ORIGIN } })).status).toBe(
      201,
    );
  });

  it("the operator's settings: the platform key's spend in red past the budget; an invitation's link to copy", async () => {
    f.signedIn(operator, "/operator/settings");
    await waitFor(() => expect(field("Monthly token budget of the platform key")).toBeTruthy());
    await type(field("Monthly token budget of the platform key"), "1");
    // The platform key answered 10 tokens this month (the quota engine counts them under this key).
    await f.h.deps.counters.add(PLATFORM_TOKENS_KEY, month(f.h.deps.now()).start, 10, f.h.deps.now() + 40 * 86_400_000);
    await click(button("Save settings"));
    await waitFor(() => expect(text(document.querySelector(".operator-settings [role=status]"))).toBe("Saved"));
    await waitFor(() => expect(document.querySelector(".spend--over")).not.toBeNull());
    expect(text(document.querySelector(".spend [role=alert]"))).toBe(
      "Over budget: sites on the platform key answer that their quota is used up.",
    );

    await click(button("Invitations"));
    await waitFor(() => expect(button("Create invitation")).toBeTruthy());
    await click(button("Create invitation"));
    await waitFor(() => expect((field(/^Invitation link/) as HTMLInputElement).value).toMatch(/\/dashboard\/signup\?invitation=/));
    await waitFor(() => expect(text(document.querySelector("table tbody"))).toContain("open"));
  });

  it("the operator's plans: the knowledge ceilings are edited like the others and saved as the server has them", async () => {
    f.signedIn(operator, "/operator/plans");
    const sources = () => document.getElementById("plan-free-knowledge-sources") as HTMLInputElement;
    await waitFor(() => expect(sources().value).toBe("20"));
    expect(text(document.querySelector('label[for="plan-free-knowledge-chunks"]'))).toBe("Knowledge passages per site");
    await type(sources(), "5");
    await click(document.querySelector<HTMLButtonElement>("form.plan-form button[type=submit]")!);
    await waitFor(() => expect(text(document.querySelector("form.plan-form [role=status]"))).toBe("Saved"));
    const res = await f.h.request("/api/operator/plans", { headers: { cookie: operator.cookie } });
    const free = ((await res.json()) as { plans: Array<{ id: string; knowledge: unknown }> }).plans.find((p) => p.id === "free")!;
    expect(free.knowledge).toEqual({ sources: 5, bytes: 20 * 1024 * 1024, chunks: 2_000 });
    // Back as it was, for the tests after this one.
    await f.h.request("/api/operator/plans/free", {
      method: "PATCH",
      headers: { cookie: operator.cookie, "content-type": "application/json" },
      body: JSON.stringify({ knowledge: { sources: 20, bytes: 20 * 1024 * 1024, chunks: 2_000 } }),
    });
  });

  it("an invitation link opens the sign-up page and signs up on an invite-only server; without it the page says why", async () => {
    const settings = (body: unknown) =>
      f.h.request("/api/operator/settings", {
        method: "PATCH",
        headers: { cookie: operator.cookie, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await settings({ signupMode: "invite" })).status).toBe(200);
    const made = await f.h.request("/api/operator/invitations", {
      method: "POST",
      headers: { cookie: operator.cookie, "content-type": "application/json" },
      body: "{}",
    });
    const { link } = (await made.json()) as { link: string };

    f.open("/signup");
    await waitFor(() => expect(heading()).toBe("Create your account"));
    await type(field("Email"), `uninvited-${Date.now()}@example.com`);
    await type(field("Password"), "a good long password");
    await click(button("Create account"));
    await waitFor(() =>
      expect(text(document.querySelector("#form-error"))).toBe(
        "This invitation link is not valid: it may have been used or have expired. Ask for a new one.",
      ),
    );

    const url = new URL(link);
    f.open(`/signup${url.search}`);
    await waitFor(() => expect(heading()).toBe("Create your account"));
    await type(field("Email"), `invited-${Date.now()}@example.com`);
    await type(field("Password"), "a good long password");
    await click(button("Create account"));
    await waitFor(() => expect(heading()).toBe("Your sites"));
    await settings({ signupMode: "open" });
  });
});
