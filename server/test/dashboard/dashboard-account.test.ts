// @vitest-environment node
import { describe, expect, it } from "vitest";
import { dashboardFixture } from "./fixture.js";
import { button, click, errorOf, field, heading, text, type, waitFor } from "./support.js";

/**
 * The dashboard as an owner uses it, against the real server (happy-dom page, Node's fetch for the
 * server): signing up, in and out; sites; the site's own API key; the language.
 */
describe("the dashboard: account, sites, key, language", () => {
  const f = dashboardFixture();

  describe("signing up, in and out", () => {
    it("sign-up shows each error beside its field, the server's too, then the owner's (empty) sites", async () => {
      const page = f.open("/");
      await waitFor(() => expect(heading()).toBe("Sign in"));
      await click(button("Create one"));
      await waitFor(() => expect(heading()).toBe("Create your account"));

      await click(button("Create account"));
      await waitFor(() => expect(errorOf(field("Email"))).toBe("Required."));
      expect(errorOf(field("Password"))).toBe("Required.");
      await type(field("Email"), "not-an-email");
      await type(field("Password"), "short");
      await click(button("Create account"));
      await waitFor(() => expect(errorOf(field("Email"))).toBe("Enter a valid email address."));
      expect(errorOf(field("Password"))).toBe("At least 8 characters.");
      expect(field("Email").getAttribute("aria-invalid")).toBe("true");
      expect(page.calls.filter((c) => c.path === "/api/auth/signup")).toEqual([]);

      // The server's refusal lands beside the field it is about.
      await type(field("Email"), f.ownerA.email.toUpperCase());
      await type(field("Password"), "a good long password");
      await click(button("Create account"));
      await waitFor(() => expect(errorOf(field("Email"))).toBe("An account with this email already exists. Sign in instead."));
      expect(errorOf(field("Password"))).toBeNull();

      await type(field("Email"), `new-${Date.now()}@example.com`);
      await click(button("Create account"));
      await waitFor(() => expect(heading()).toBe("Your sites"));
      expect(window.location.pathname).toBe("/dashboard/");
      await waitFor(() =>
        expect(text(document.querySelector(".state--empty"))).toBe("No sites yet. Create one to get the script tag for your pages."),
      );
      expect(page.jar.has("bc_session")).toBe(true);
    });

    it("sign-in says when the password is wrong; sign-out ends the session on the server", async () => {
      const page = f.open("/signin");
      await waitFor(() => expect(heading()).toBe("Sign in"));
      await type(field("Email"), f.ownerA.email);
      await type(field("Password"), "not the password");
      await click(button("Sign in"));
      await waitFor(() => expect(text(document.querySelector("[role=alert]"))).toBe("The email or password is wrong."));

      await type(field("Password"), "correct horse battery");
      await click(button("Sign in"));
      await waitFor(() => expect(heading()).toBe("Your sites"));
      await waitFor(() => expect(text(document.querySelector(".site-list"))).toContain("Lantern Tea"));
      expect(text(document.querySelector(".account"))).toContain(f.ownerA.email);

      await click(button("Sign out"));
      await waitFor(() => expect(heading()).toBe("Sign in"));
      expect(window.location.pathname).toBe("/dashboard/signin");
      expect(page.jar.has("bc_session")).toBe(false);
      expect(page.calls.map((c) => `${c.method} ${c.path}`)).toContain("POST /api/auth/logout");
    });

    it("a session that ends while working returns to sign-in, saying so, and back to the same page after", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() => expect(heading()).toBe("Install"));
      page.jar.clear(); // the cookie expired
      await click(button("Usage"));
      await waitFor(() => expect(heading()).toBe("Sign in"));
      expect(text(document.querySelector(".auth"))).toContain("Your session has ended. Sign in again.");
      await type(field("Email"), f.ownerA.email);
      await type(field("Password"), "correct horse battery");
      await click(button("Sign in"));
      await waitFor(() => expect(heading()).toBe("Usage"));
    });
  });

  describe("sites", () => {
    it("creates (the name is required), renames, and deletes only after a confirmation that names the site", async () => {
      const page = f.signedIn(f.ownerA, "/");
      await waitFor(() => expect(heading()).toBe("Your sites"));
      await click(button("Create site"));
      await waitFor(() => expect(errorOf(field("Site name"))).toBe("Required."));

      await type(field("Site name"), "  Second shop ");
      await click(button("Create site"));
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      const created = page.calls.find((c) => c.method === "POST" && c.path === "/api/sites");
      expect(created?.body).toEqual({ name: "Second shop" });
      expect(window.location.pathname).toMatch(/^\/dashboard\/sites\/[\w-]+\/settings$/);

      await click(button("← All sites"));
      await waitFor(() => expect(text(document.querySelector(".site-list"))).toContain("Second shop"));
      await click(button("Rename Second shop"));
      const rename = field<HTMLInputElement>("New name for Second shop");
      await type(rename, "Renamed shop");
      await click(button("Save"));
      await waitFor(() => expect(text(document.querySelector(".site-list"))).toContain("Renamed shop"));

      await click(button("Delete Renamed shop"));
      const dialog = await waitFor(() => document.querySelector<HTMLElement>("[role=alertdialog]")!);
      expect(text(dialog.querySelector("h2"))).toBe("Delete “Renamed shop”?");
      await waitFor(() => expect(document.activeElement?.textContent).toBe("Cancel")); // the safe choice has focus
      await click(button("Cancel"));
      await waitFor(() => expect(document.querySelector("[role=alertdialog]")).toBeNull());
      expect(text(document.querySelector(".site-list"))).toContain("Renamed shop");

      await click(button("Delete Renamed shop"));
      await waitFor(() => document.querySelector("[role=alertdialog]")!);
      await click(button("Delete “Renamed shop”"));
      await waitFor(() => expect(text(document.querySelector(".site-list"))).not.toContain("Renamed shop"));
      expect(text(document.querySelector("[role=status].notice"))).toBe("“Renamed shop” was deleted.");
      const { sites } = (await (await f.h.request("/api/sites", { headers: { cookie: f.ownerA.cookie } })).json()) as {
        sites: Array<{ name: string }>;
      };
      expect(sites.map((s) => s.name)).toEqual(["Lantern Tea"]);
    });

    it("an owner sees only their own sites, and another owner's site is not found", async () => {
      f.signedIn(f.ownerB, "/");
      await waitFor(() => expect(document.querySelector(".state--empty")).not.toBeNull());
      expect(text(document.querySelector("main"))).not.toContain("Lantern Tea");
      f.signedIn(f.ownerB, `/sites/${f.site.id}/conversations`);
      await waitFor(() => expect(text(document.querySelector(".state--error p"))).toBe("This no longer exists. It may have been deleted."));
      expect(text(document.querySelector("main"))).not.toContain("Lantern Tea");
    });
  });

  it("the site's own API key is write-only: sent once, shown by its last four characters only", async () => {
    const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/key`);
    await waitFor(() => expect(heading()).toBe("DashScope API key"));
    expect(text(document.getElementById("key-status"))).toBe("This site uses the server's key.");
    await type(field("New API key"), "sk bad key");
    await click(button("Save key"));
    await waitFor(() => expect(errorOf(field("New API key"))).toBe("A key has 8 to 200 characters and no spaces, like sk-…."));
    const key = "sk-dashboard-test-key-9876";
    await type(field("New API key"), key);
    expect(field("New API key").type).toBe("password");
    await click(button("Save key"));
    await waitFor(() => expect(text(document.getElementById("key-status"))).toBe("● This site uses its own key, ending in ••••9876."));
    expect(field("Replacement API key").value).toBe("");
    expect(document.body.innerHTML).not.toContain("sk-dashboard");
    expect(JSON.stringify({ ...localStorage })).not.toContain("sk-dashboard");
    expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([{ apiKey: key }]);

    await click(button("Remove key"));
    await waitFor(() => document.querySelector("[role=alertdialog]")!);
    await click([...document.querySelectorAll<HTMLElement>("[role=alertdialog] button")].find((b) => text(b) === "Remove key")!);
    await waitFor(() => expect(text(document.getElementById("key-status"))).toBe("This site uses the server's key."));
    expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([{ apiKey: key }, { apiKey: null }]);
  });

  it("speaks Chinese to a Chinese browser, switches language on request, and remembers the choice", async () => {
    Object.defineProperty(navigator, "languages", { configurable: true, get: () => ["zh-CN", "zh"] });
    try {
      f.open("/");
      await waitFor(() => expect(heading()).toBe("登录"));
      expect(document.documentElement.lang).toBe("zh-CN");
      await click(button("登录"));
      await waitFor(() => expect(errorOf(field("邮箱"))).toBe("必填。"));
      await click(button("English"));
      await waitFor(() => expect(heading()).toBe("Sign in"));
      expect(errorOf(field("Email"))).toBe("Required.");
      expect(button("English").getAttribute("aria-pressed")).toBe("true");
      f.open("/");
      await waitFor(() => expect(heading()).toBe("Sign in"));
    } finally {
      Object.defineProperty(navigator, "languages", { configurable: true, get: () => ["en-US", "en"] });
    }
  });
});
