import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";

/** A real HTTP server on 127.0.0.1 that records the requests it was sent (outbound and crawler tests). */
export interface LocalSite {
  port: number;
  /** `127.0.0.1:port`, as FETCH_ALLOW_HOSTS spells it */
  hostPort: string;
  origin: string;
  requests: Array<{ path: string; host: string | undefined; userAgent: string | undefined }>;
  close(): Promise<void>;
}

export async function startLocalSite(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalSite> {
  const requests: LocalSite["requests"] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? "", host: req.headers.host, userAgent: req.headers["user-agent"] });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    hostPort: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        // Stalled responses from time-cap tests would otherwise keep close() waiting.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
