import { randomUUID } from "node:crypto";
import { type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for Function Compute's HTTP front (trigger or custom domain) in front of a web
 * function's instance, with what platform.md §1.5 says it does: it passes method, path, query,
 * headers and body through, adds FC's common request headers (x-fc-request-id, …, x-fc-control-path
 * /http-invoke) and X-Forwarded-For/-Proto, drops hop-by-hop headers and the x-fc-* a client may
 * not send, and streams the answer back as it comes (chunked, unbuffered: SSE works on FC).
 */

/** Per connection, never forwarded (RFC 9110 §7.6.1), plus proxy credentials. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
]);

export interface FcFunctionInfo {
  functionName: string;
  region: string;
  accountId: string;
  qualifier: string;
  memorySize: number;
}

export interface FcFront {
  /** http://127.0.0.1:PORT */
  url: string;
  /** every x-fc-request-id the front gave, in order */
  requestIds: string[];
  /** response headers the function sent that FC does not let through (custom x-fc-*) */
  forbiddenResponseHeaders: string[];
  close(): Promise<void>;
}

export async function startFcFront(target: { host: string; port: number }, fn: FcFunctionInfo): Promise<FcFront> {
  const requestIds: string[] = [];
  const forbiddenResponseHeaders: string[] = [];
  const server: Server = createServer((req, res) => {
    const requestId = randomUUID();
    requestIds.push(requestId);
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith("x-fc-")) continue;
      headers[name] = value;
    }
    const peer = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const forwardedFor = req.headers["x-forwarded-for"];
    Object.assign(headers, {
      "x-forwarded-for": forwardedFor ? `${forwardedFor}, ${peer}` : peer,
      "x-forwarded-proto": "http",
      "x-fc-request-id": requestId,
      "x-fc-function-name": fn.functionName,
      "x-fc-function-memory": String(fn.memorySize),
      "x-fc-region": fn.region,
      "x-fc-account-id": fn.accountId,
      "x-fc-qualifier": fn.qualifier,
      "x-fc-control-path": "/http-invoke",
    });
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        if (name.startsWith("x-fc-")) {
          forbiddenResponseHeaders.push(name);
          continue;
        }
        out[name] = value;
      }
      out["x-fc-request-id"] = requestId;
      res.writeHead(answer.statusCode ?? 502, out);
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ ErrorCode: "FunctionNotStarted" }));
    });
    // A visitor who leaves closes the function's connection too.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requestIds,
    forbiddenResponseHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
