// @vitest-environment node
import { describe, expect, it } from "vitest";
import { signUpOwner, uniqueEmail } from "../support/harness.js";
import { dashboardFixture } from "./fixture.js";
import { button, choose, click, field, heading, text, type, waitFor } from "./support.js";

/**
 * A site's team in the dashboard, against the real server: the owner's Team tab (invite, role,
 * revoke, remove), the mailed link's join page signed in and signed out, and what each role sees.
 */
describe("the dashboard: a site's team", () => {
  const f = dashboardFixture();

  /** The link of the last team invitation mailed (without SMTP the server logs each mail's link). */
  const lastInvitationToken = (to: string) => {
    const line = [...f.h.logs].reverse().find((l) => l.msg === "mail" && l.kind === "team-invitation" && l.to === to);
    expect(line, `an invitation mailed to ${to}`).toBeDefined();
    return new URL(String(line!.link)).searchParams.get("token")!;
  };
  const tabs = () => [...document.querySelectorAll('nav[aria-label="Site sections"] a')].map(text);
  const rows = (section: string) => [...document.querySelectorAll(`[aria-labelledby=${section}] .team-list__row`)].map(text);

  it("the owner invites from the Team tab; the invitee's link, signed in, opens the site with the sections of an admin", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/team`);
    await waitFor(() => expect(heading()).toBe("Team"));
    expect(tabs()).toEqual(["Bot settings", "Knowledge", "Install", "Conversations", "Usage", "API key", "Webhooks", "Team"]);
    await waitFor(() => expect(rows("team-members")).toHaveLength(1));
    expect(rows("team-members")[0]).toContain(f.ownerA.email);
    expect(text(document.querySelector("[aria-labelledby=team-invitations]"))).toContain("No pending invitations.");

    await type(field("Email"), f.ownerB.email);
    await choose(field<HTMLSelectElement>("Role"), "admin");
    await click(button("Send invitation"));
    await waitFor(() =>
      expect(text(document.querySelector("[aria-labelledby=team-invite]"))).toContain(`Invitation sent to ${f.ownerB.email}`),
    );
    await waitFor(() => expect(rows("team-invitations")).toEqual([expect.stringContaining(f.ownerB.email)]));
    expect(rows("team-invitations")[0]).toContain("Admin");

    const token = lastInvitationToken(f.ownerB.email);
    f.signedIn(f.ownerB, `/join?token=${token}`);
    await waitFor(() => expect(window.location.pathname).toBe(`/dashboard/sites/${f.site.id}/settings`));
    await waitFor(() => expect(heading()).toBe("Bot settings"));
    expect(tabs()).toEqual(["Bot settings", "Knowledge", "Install", "Conversations", "Usage", "Webhooks"]);
  });

  it("the owner makes the admin an agent: the agent sees Conversations only, even from another section's link", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/team`);
    await waitFor(() => expect(rows("team-members")).toHaveLength(2));
    const role = document.querySelector<HTMLSelectElement>(`select[aria-label="Role of ${f.ownerB.email.split("@")[0]}"]`)!;
    expect(role.value).toBe("admin");
    await choose(role, "agent");
    await waitFor(() => expect(text(document.querySelector("[aria-labelledby=team-members] [role=status]"))).toBe("Role changed."));

    f.signedIn(f.ownerB, `/sites/${f.site.id}/settings`);
    await waitFor(() => expect(heading()).toBe("Conversations"));
    expect(tabs()).toEqual(["Conversations"]);
    // On the sites list: the site with the role, no rename or delete.
    f.signedIn(f.ownerB, "/");
    await waitFor(() => expect(text(document.querySelector(".site-list"))).toContain("Lantern Tea"));
    expect(text(document.querySelector(".site-list"))).toContain("Agent");
    expect(document.querySelector(".site-list")!.querySelector("button")).toBeNull();
  });

  it("the owner revokes an invitation and removes a member (after confirming): the member's page no longer opens the site", async () => {
    const pending = uniqueEmail("pending");
    const res = await f.h.request(`/api/sites/${f.site.id}/invitations`, {
      method: "POST",
      headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
      body: JSON.stringify({ email: pending, role: "agent" }),
    });
    expect(res.status).toBe(201);
    f.signedIn(f.ownerA, `/sites/${f.site.id}/team`);
    await waitFor(() => expect(rows("team-invitations")).toEqual([expect.stringContaining(pending)]));
    await click(button(`Revoke the invitation to ${pending}`));
    await waitFor(() => expect(text(document.querySelector("[aria-labelledby=team-invitations]"))).toContain("No pending invitations."));

    const name = f.ownerB.email.split("@")[0];
    await click(button(`Remove ${name}`));
    await waitFor(() => expect(document.querySelector("[role=dialog], dialog, .dialog")).not.toBeNull());
    expect(text(document.body)).toContain(`Remove ${name} from the team?`);
    await click(button("Remove"));
    await waitFor(() => expect(rows("team-members")).toHaveLength(1));

    f.signedIn(f.ownerB, `/sites/${f.site.id}/conversations`);
    await waitFor(() => expect(text(document.querySelector("main"))).toContain("This no longer exists"));
  });

  it("signed out, the join page signs up the invited email with the link and opens the site", async () => {
    const email = uniqueEmail("newcomer");
    const res = await f.h.request(`/api/sites/${f.site.id}/invitations`, {
      method: "POST",
      headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
      body: JSON.stringify({ email, role: "agent" }),
    });
    expect(res.status).toBe(201);
    f.open(`/join?token=${lastInvitationToken(email)}`);
    await waitFor(() => expect(heading()).toBe("Sign in"));
    expect(text(document.querySelector(".join__intro"))).toContain("with the email address the invitation was sent to");
    await click(button("Create one"));
    await waitFor(() => expect(heading()).toBe("Create your account"));
    await type(field("Email"), email);
    await type(field("Password"), "a good long password");
    await click(button("Create account"));
    await waitFor(() => expect(window.location.pathname).toBe(`/dashboard/sites/${f.site.id}/conversations`));
    await waitFor(() => expect(heading()).toBe("Conversations"));
    expect(tabs()).toEqual(["Conversations"]);
  });

  it("the join page with another account's email says so; the account page sets the display name", async () => {
    const other = await signUpOwner(f.h, uniqueEmail("other"));
    const invited = uniqueEmail("invited");
    await f.h.request(`/api/sites/${f.site.id}/invitations`, {
      method: "POST",
      headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
      body: JSON.stringify({ email: invited, role: "agent" }),
    });
    f.signedIn(other, `/join?token=${lastInvitationToken(invited)}`);
    await waitFor(() =>
      expect(text(document.querySelector("[role=alert]"))).toBe(
        "This invitation was sent to another email address. Sign out and sign in with that one.",
      ),
    );

    f.signedIn(other, "/account");
    await waitFor(() => expect(heading()).toBe("Account"));
    const name = field("Your name");
    expect(name.value).toBe(other.email.split("@")[0]);
    await type(name, "Mei from support");
    await click(button("Save"));
    await waitFor(() => expect(text(document.querySelector("[role=status]"))).toBe("Name saved."));
    const me = await (await f.h.request("/api/me", { headers: { cookie: other.cookie } })).json();
    expect(me.owner.displayName).toBe("Mei from support");
  });
});
