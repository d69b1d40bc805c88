// @vitest-environment node
import { type IncomingHttpHeaders, type Server, createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../../../examples/webhook-receiver.mjs";
import { freePort } from "../support/ports.js";
import { dashboardFixture } from "./fixture.js";
import { button, click, field, text, type, waitFor } from "./support.js";

// The receiver's port is known before the server starts: FETCH_ALLOW_HOSTS lets the server reach it.
const port = await freePort();
const receiverUrl = `http://127.0.0.1:${port}/hooks/bailian`;

/** The owner manages a site's webhooks: add (the secret shown once), test, read the log, switch off, delete. */
describe("the dashboard: webhooks", () => {
  const f = dashboardFixture(undefined, { FETCH_ALLOW_HOSTS: `127.0.0.1:${port}` });
  const received: Array<{ headers: IncomingHttpHeaders; raw: string }> = [];
  let server: Server;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const notice = () => text(document.querySelector(".webhooks .notice"));

  it("adds a webhook showing its secret once, sends a signed test event and shows it in the log, switches it off and deletes it", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/webhooks`);
    await waitFor(() => expect(text(document.querySelector(".state--empty"))).toBe("No webhooks yet: add one below."));
    expect(button("Webhooks").getAttribute("aria-current")).toBe("page");

    // A private address is refused, in the page's words.
    await type(field("Endpoint URL"), "http://10.0.0.1/hook");
    await click(button("Add webhook"));
    await waitFor(() =>
      expect(text(document.querySelector("#webhook-add ~ form .field__error"))).toBe(
        "This URL cannot be used: it must be http(s) and reach a public address, not a private or local one.",
      ),
    );

    await type(field("Endpoint URL"), receiverUrl);
    await click(field("A visitor rates an answer feedback.created"));
    await click(field("A conversation starts conversation.created"));
    await click(button("Add webhook"));
    const secret = await waitFor(() => {
      const value = text(document.querySelector(".webhook-secret__value"));
      expect(value).toMatch(/^whsec_/);
      return value;
    });
    expect(text(document.querySelector(".webhook-secret"))).toContain("it is shown only this once");
    expect(button("Copy the signing secret")).toBeTruthy();
    const row = document.querySelector(".webhook")!;
    expect(text(row.querySelector(".webhook__url"))).toBe(receiverUrl);
    expect([...row.querySelectorAll(".webhook__events li")].map(text)).toEqual([
      "A message is sent (visitor, bot or team) message.created",
      "A visitor rates an answer feedback.created",
    ]);
    const stored = await f.h.deps.db.selectFrom("webhooks").select(["events", "enabled"]).executeTakeFirstOrThrow();
    expect(stored).toEqual({ events: JSON.stringify(["message.created", "feedback.created"]), enabled: 1 });
    // Once dismissed, the secret is nowhere on the page, nor in the list the page reads.
    await click(button("I have copied it"));
    expect(document.body.textContent).not.toContain(secret);

    await click(button(`Send test event to ${receiverUrl}`));
    await waitFor(() => expect(notice()).toBe("Test event delivered (HTTP 200)."));
    expect(received).toHaveLength(1);
    expect(verifySignature(secret, received[0].raw, received[0].headers["x-bailianchat-signature"] as string)).toBe(true);
    expect(JSON.parse(received[0].raw)).toMatchObject({ type: "webhook.test", siteId: f.site.id });

    await click(button(`Show the deliveries to ${receiverUrl}`));
    const cells = await waitFor(() => {
      const rows = [...document.querySelectorAll(".deliveries-table tbody tr")];
      expect(rows).toHaveLength(1);
      return [...rows[0].querySelectorAll("td")].map(text);
    });
    expect(cells[0]).toMatch(/^Test event evt_/);
    expect(cells.slice(1, 4)).toEqual(["Delivered", "1", "200"]);
    expect(cells[4]).toMatch(/^\d[\d,]* ms$/);
    expect(cells[6]).toBe("");
    expect(button(`Hide the deliveries to ${receiverUrl}`).getAttribute("aria-expanded")).toBe("true");

    const enabled = field(`Send events to ${receiverUrl}`);
    expect(enabled.checked).toBe(true);
    await click(enabled);
    await waitFor(() => expect(notice()).toBe("Webhook disabled: it is sent no events."));
    expect(field(`Send events to ${receiverUrl}`).checked).toBe(false);
    expect((await f.h.deps.db.selectFrom("webhooks").select("enabled").executeTakeFirstOrThrow()).enabled).toBe(0);

    await click(button(`Delete the webhook to ${receiverUrl}`));
    const dialog = document.querySelector(".dialog")!;
    expect(text(dialog.querySelector("h2"))).toBe("Delete this webhook?");
    await click(button("Delete"));
    await waitFor(() => expect(notice()).toBe(`The webhook to ${receiverUrl} was deleted.`));
    expect(document.querySelector(".dialog")).toBeNull();
    expect(text(document.querySelector(".state--empty"))).toBe("No webhooks yet: add one below.");
    expect(await f.h.deps.db.selectFrom("webhooks").selectAll().execute()).toEqual([]);
  });

  it("tells another owner nothing about the site's webhooks", async () => {
    f.signedIn(f.ownerB, `/sites/${f.site.id}/webhooks`);
    await waitFor(() => expect(document.querySelector("[role=alert]")).not.toBeNull());
    expect(document.querySelector(".webhook")).toBeNull();
  });
});
