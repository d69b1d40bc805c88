// A Bailian Chat webhook receiver in plain Node (no dependencies): checks each delivery's
// signature, refuses stale ones, and handles each event once. docs/webhooks.md explains it.
//
//   WEBHOOK_SECRET=whsec_… PORT=8787 node examples/webhook-receiver.mjs
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const TOLERANCE_SECONDS = 5 * 60;

/** True when `header` (X-BailianChat-Signature: t=…,v1=…) signs `rawBody` with `secret`, made within 5 minutes of `nowMs`. */
export function verifySignature(secret, rawBody, header, nowMs = Date.now()) {
  const parts = Object.fromEntries(
    String(header ?? "")
      .split(",")
      .map((p) => p.trim().split("=", 2)),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A request handler: 400 for a bad signature, else `onEvent(event)` once per event id, and 200. */
export function handleDeliveries(secret, onEvent) {
  const seen = new Set(); // a real receiver keeps the ids it handled in its database
  return (req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8"); // the exact bytes: parse only after checking
      if (!verifySignature(secret, rawBody, req.headers["x-bailianchat-signature"])) return res.writeHead(400).end();
      const event = JSON.parse(rawBody);
      if (!seen.has(event.id)) {
        seen.add(event.id);
        onEvent(event);
      }
      res.writeHead(200).end();
    });
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const handler = handleDeliveries(process.env.WEBHOOK_SECRET, (event) => console.log(event.type, JSON.stringify(event.data)));
  createServer(handler).listen(Number(process.env.PORT ?? 8787));
}
