import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable, Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { type Resolver, checkedAddresses, parseOutboundUrl, pinnedLookup } from "./checked-host.js";
import { OutboundError } from "./outbound-error.js";

/**
 * The one way the server fetches a URL an owner typed (knowledge pages, robots.txt, sitemaps;
 * webhooks later). Every hop is checked (checked-host.ts) and connected to the very address that
 * was checked; time, size, redirects and media types are bounded per call.
 */

export interface GuardedFetchOptions {
  /** `BailianChatBot/1.0 (+publicUrl)`: botUserAgent(config.publicUrl) */
  userAgent: string;
  /**
   * Media types the caller can use: exact (`text/html`), a type's family (`text/*`) or anything
   * (`*\/*`). A response of another type is refused before its body is read.
   */
  mediaTypes: readonly string[];
  /** config.fetchAllowHosts: host:port pairs let through although they resolve to private addresses */
  allowHosts?: readonly string[];
  /** the whole fetch, every redirect included; default 15 s */
  timeoutMs?: number;
  /** the decoded body; default 5 MiB */
  maxBytes?: number;
  /** default 5 */
  maxRedirects?: number;
  /** the caller's own cancellation (a job losing its lease) */
  signal?: AbortSignal;
  /** the system resolver (dns.lookup) unless given: tests map names to their local servers */
  resolve?: Resolver;
}

export interface FetchedResource {
  /** the URL that answered, after redirects */
  url: string;
  status: number;
  /** lower case, without parameters; application/octet-stream when the server named none */
  mediaType: string;
  charset?: string;
  bytes: Uint8Array;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULTS = { timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5 };

export async function guardedFetch(input: string | URL, options: GuardedFetchOptions): Promise<FetchedResource> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULTS.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
  let url = parseOutboundUrl(input);
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(url, options, signal);
    const location = response.headers.location;
    if (REDIRECTS.has(response.statusCode ?? 0) && location) {
      response.destroy();
      if (hop >= maxRedirects) {
        throw new OutboundError("too_many_redirects", `More than ${maxRedirects} redirects.`, url.href);
      }
      // Each hop is a new URL an outsider chose: parsed and checked as the first was.
      url = parseOutboundUrl(new URL(location, url));
      url.hash = "";
      continue;
    }
    return await readResponse(url, response, options, signal);
  }
}

function abortError(signal: AbortSignal, url: URL): OutboundError {
  const reason: unknown = signal.reason;
  return reason instanceof DOMException && reason.name === "TimeoutError"
    ? new OutboundError("timeout", "The site took too long to answer.", url.href)
    : new OutboundError("aborted", "The fetch was cancelled.", url.href);
}

async function requestOnce(url: URL, options: GuardedFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  if (signal.aborted) throw abortError(signal, url);
  // The system resolver cannot be cancelled; the deadline still ends the wait for it.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal, url));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const addresses = await Promise.race([checkedAddresses(url, options), aborted]).finally(() =>
    signal.removeEventListener("abort", onAbort),
  );
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      method: "GET",
      // A fresh connection per request: a pooled socket could carry a request to an address that
      // was checked for another call (with other allowHosts).
      agent: false,
      lookup: pinnedLookup(addresses),
      headers: {
        "user-agent": options.userAgent,
        accept: options.mediaTypes.join(", "),
        "accept-encoding": "gzip, deflate, br",
      },
    });
    const onAbort = () => req.destroy(abortError(signal, url));
    signal.addEventListener("abort", onAbort, { once: true });
    req.once("response", (response) => {
      signal.removeEventListener("abort", onAbort);
      resolve(response);
    });
    req.once("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      reject(
        err instanceof OutboundError
          ? err
          : new OutboundError("network_error", `The site could not be reached (${errorName(err)}).`, url.href),
      );
    });
    req.end();
  });
}

function errorName(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.name;
}

/** `text/html; charset=GBK` → { mediaType: "text/html", charset: "gbk" } */
export function parseContentType(header: string | undefined): { mediaType: string; charset?: string } {
  const [type, ...params] = (header ?? "").split(";");
  const mediaType = type.trim().toLowerCase() || "application/octet-stream";
  const charset = params
    .map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1])
    .find(Boolean)
    ?.toLowerCase();
  return charset ? { mediaType, charset } : { mediaType };
}

export function mediaTypeAllowed(mediaType: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => a === "*/*" || a === mediaType || (a.endsWith("/*") && mediaType.startsWith(a.slice(0, -1))));
}

function decoder(encoding: string | undefined, url: URL): Transform | null {
  switch ((encoding ?? "identity").trim().toLowerCase()) {
    case "identity":
    case "":
      return null;
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate();
    case "br":
      return createBrotliDecompress();
    default:
      throw new OutboundError("http_error", `The site answered in an unknown encoding (${encoding}).`, url.href);
  }
}

async function readResponse(
  url: URL,
  response: IncomingMessage,
  options: GuardedFetchOptions,
  signal: AbortSignal,
): Promise<FetchedResource> {
  const status = response.statusCode ?? 0;
  const { mediaType, charset } = parseContentType(response.headers["content-type"]);
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  try {
    if (status < 200 || status > 299) {
      throw new OutboundError("http_error", `The site answered ${status}.`, url.href, status);
    }
    if (!mediaTypeAllowed(mediaType, options.mediaTypes)) {
      throw new OutboundError("media_type_refused", `This kind of content (${mediaType}) cannot be used here.`, url.href);
    }
    if (Number(response.headers["content-length"]) > maxBytes && !response.headers["content-encoding"]) {
      throw new OutboundError("too_large", `The content is larger than ${maxBytes} bytes.`, url.href);
    }
    const decoded = decoder(response.headers["content-encoding"], url);
    const body: Readable = decoded ? response.pipe(decoded) : response;
    const bytes = await readCapped(response, body, maxBytes, url, signal, () => {
      response.destroy();
      decoded?.destroy();
    });
    return { url: url.href, status, mediaType, ...(charset ? { charset } : {}), bytes };
  } finally {
    response.destroy();
  }
}

/** Reads until the end or until more than maxBytes came (a compressed bomb stops there too). */
function readCapped(
  response: IncomingMessage,
  body: Readable,
  maxBytes: number,
  url: URL,
  signal: AbortSignal,
  stop: () => void,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: OutboundError | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (err) {
        stop();
        reject(err);
      } else {
        resolve(new Uint8Array(Buffer.concat(chunks, size)));
      }
    };
    const onAbort = () => finish(abortError(signal, url));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(new OutboundError("too_large", `The content is larger than ${maxBytes} bytes.`, url.href));
      else chunks.push(chunk);
    });
    body.once("end", () => finish(null));
    const onError = (err: Error) =>
      finish(
        err instanceof OutboundError
          ? err
          : new OutboundError("network_error", `The content could not be read (${errorName(err)}).`, url.href),
      );
    body.once("error", onError);
    // pipe() does not pass the response's own errors on to a decoder.
    if (body !== response) response.once("error", onError);
    // A response cut short ends without "end" on older Nodes: "close" settles it as an error.
    body.once("close", () => finish(new OutboundError("network_error", "The site closed the connection early.", url.href)));
  });
}
