import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { checkedAddresses, parseOutboundUrl, pinnedLookup } from "../../outbound/checked-host.js";
import { OutboundError } from "../../outbound/outbound-error.js";

/**
 * One delivery's POST. The same address policy as knowledge fetching (outbound/checked-host.ts:
 * every address the name resolves to checked, the connection pinned to them), but a webhook is
 * never redirected (a 3xx is the receiver's answer, and a failed attempt), and only a few KB of
 * the answer are read: the status is all that counts.
 */

export interface WebhookPostOptions {
  userAgent: string;
  allowHosts: readonly string[];
  headers: Record<string, string>;
  timeoutMs?: number;
  maxAnswerBytes?: number;
  signal?: AbortSignal;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 4096;

/** The receiver's status; an OutboundError when there was no answer (refused address, DNS, network, timeout). */
export async function postWebhook(target: string, body: string, options: WebhookPostOptions): Promise<number> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const url = parseOutboundUrl(target);
  const stopped = () =>
    (signal.reason as unknown) instanceof DOMException && (signal.reason as DOMException).name === "TimeoutError"
      ? new OutboundError("timeout", "The receiver took too long to answer.", url.href)
      : new OutboundError("aborted", "The delivery was cancelled.", url.href);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stopped());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {}); // raced at each stage; an abort between stages is seen by the next
  try {
    const addresses = await Promise.race([checkedAddresses(url, { allowHosts: options.allowHosts }), aborted]);
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const response = await Promise.race([
      new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(url, {
          method: "POST",
          // A fresh connection: a pooled one could reach an address checked for another receiver.
          agent: false,
          lookup: pinnedLookup(addresses),
          headers: {
            ...options.headers,
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
            "user-agent": options.userAgent,
          },
        });
        signal.addEventListener("abort", () => req.destroy(), { once: true });
        req.once("response", resolve);
        req.once("error", (err: NodeJS.ErrnoException) =>
          reject(new OutboundError("network_error", `The receiver could not be reached (${err.code ?? err.name}).`, url.href)),
        );
        req.end(body);
      }),
      aborted,
    ]);
    // The status has come: a body that then stalls until the deadline does not undo the answer.
    await Promise.race([drain(response, options.maxAnswerBytes ?? MAX_ANSWER_BYTES), aborted])
      .catch(() => {})
      .finally(() => response.destroy());
    return response.statusCode ?? 0;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Reads the answer up to `max` bytes (a receiver may stream forever), then lets it go. */
function drain(response: IncomingMessage, max: number): Promise<void> {
  return new Promise((resolve) => {
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) resolve();
    });
    response.once("end", () => resolve());
    response.once("error", () => resolve());
    response.once("close", () => resolve());
  });
}
