// @vitest-environment node
import { afterAll, describe, expect, it } from "vitest";
import { json, signUpOwner } from "../support/harness.js";
import { linkIn, startSmtpInbox } from "../support/smtp-inbox.js";
import { dashboardFixture } from "./fixture.js";
import { button, click, errorOf, field, heading, text, type, waitFor } from "./support.js";

// A real SMTP listener: the server mails the links, the test follows them as the owner would.
const inbox = await startSmtpInbox();

/** The dashboard's account pages with mail configured: the verification banner and page, password reset, the account page. */
describe("the dashboard: email verification, password reset, account", () => {
  const f = dashboardFixture(undefined, { SMTP_URL: inbox.url, MAIL_FROM: "Bailian Chat <noreply@bailian.test>" });
  afterAll(() => inbox.close());
  const pathOf = (link: string) => {
    const url = new URL(link);
    return url.pathname.slice("/dashboard".length) + url.search;
  };

  it("while the email is pending a banner says so and sends the link again; the link's page confirms it and the banner goes", async () => {
    // A new owner: the fixture's own owner is verified, so that its site answers its seeded chats.
    const owner = await signUpOwner(f.h);
    await inbox.waitFor(owner.email);
    f.signedIn(owner, "/");
    await waitFor(() => expect(text(document.querySelector(".verify-banner"))).toContain(`we sent a link to ${owner.email}`));
    await click(button("Send the link again"));
    await waitFor(() => expect(text(document.querySelector(".verify-banner"))).toContain("Sent. Check your inbox"));
    const link = linkIn(await inbox.waitFor(owner.email));

    f.signedIn(owner, pathOf(link));
    await waitFor(() =>
      expect(text(document.querySelector("[role=status].notice--ok"))).toBe(
        "Your email is confirmed. Your assistants now answer visitors.",
      ),
    );
    expect(heading()).toBe("Confirm your email");
    expect(document.querySelector(".verify-banner")).toBeNull();
    // the link works once
    f.open(pathOf(link));
    await waitFor(() =>
      expect(text(document.querySelector("[role=alert]"))).toBe("This link is invalid, has expired or was already used."),
    );
  });

  it("'Forgot password?' mails a link; its page refuses a weak password with the reason, then sets a strong one", async () => {
    f.open("/signin");
    await waitFor(() => expect(heading()).toBe("Sign in"));
    await click(button("Forgot password?"));
    await waitFor(() => expect(heading()).toBe("Reset your password"));
    await type(field("Email"), f.ownerB.email);
    await click(button("Send link"));
    await waitFor(() =>
      expect(text(document.querySelector(".notice--ok"))).toMatch(/^If an account uses this email, a link is on its way/),
    );
    // ownerB's verification mail came first
    await inbox.waitFor(f.ownerB.email);
    const link = linkIn(await inbox.waitFor(f.ownerB.email));
    expect(link).toContain("/dashboard/reset-password?token=");

    f.open(pathOf(link));
    await waitFor(() => expect(heading()).toBe("Choose a new password"));
    await type(field("New password"), "password1");
    await click(button("Set password"));
    await waitFor(() => expect(errorOf(field("New password"))).toMatch(/^This password is too easy to guess\./));
    await type(field("New password"), "lantern kettle meadow 42");
    await click(button("Set password"));
    await waitFor(() => expect(text(document.querySelector(".notice--ok"))).toMatch(/^Your password has been changed/));
    expect((await f.h.request("/api/auth/login", json({ email: f.ownerB.email, password: "lantern kettle meadow 42" }))).status).toBe(200);
  });

  it("the account page changes the password (the current one is checked) and signs out everywhere", async () => {
    const owner = await signUpOwner(f.h);
    f.signedIn(owner, "/");
    await waitFor(() => expect(text(document.querySelector(".account"))).toContain(owner.email));
    // the email in the top bar leads to the account page
    await click(document.querySelector<HTMLElement>("a.account__email")!);
    await waitFor(() => expect(heading()).toBe("Account"));

    await type(field("Current password"), "not my password");
    await type(field("New password"), "teapot orchard lantern 9");
    await click(button("Change password"));
    await waitFor(() => expect(errorOf(field("Current password"))).toBe("The email or password is wrong."));
    await type(field("Current password"), "correct horse battery");
    await click(button("Change password"));
    await waitFor(() =>
      expect(text(document.querySelector(".notice--ok"))).toBe("Password changed. Your other devices have been signed out."),
    );
    // the cookie the test holds was another session: it was signed out
    expect((await f.h.request("/api/me", { headers: { cookie: owner.cookie } })).status).toBe(401);

    await click(button("Sign out everywhere"));
    await waitFor(() => expect(heading()).toBe("Sign in"));
  });

  it("after too many failed sign-ins the form says when to try again", async () => {
    const owner = await signUpOwner(f.h);
    for (let i = 0; i < 10; i++) await f.h.request("/api/auth/login", json({ email: owner.email, password: `wrong guess ${i}` }));
    f.open("/signin");
    await waitFor(() => expect(heading()).toBe("Sign in"));
    await type(field("Email"), owner.email);
    await type(field("Password"), "correct horse battery");
    await click(button("Sign in"));
    await waitFor(() =>
      expect(text(document.querySelector("[role=alert]"))).toMatch(
        /^Too many failed sign-ins\. Try again in \d+ minutes?, or reset your password\.$/,
      ),
    );
  });
});
