import type { PublicConfig } from "../api/types.js";

/**
 * The preview page's fetch: the widget's `GET /v1/widget/<siteKey>/config` is answered with the
 * unsaved settings the dashboard sent; every other request (sessions, chat) goes to the real API.
 * This is how the real, unchanged widget bundle shows settings that are not saved yet.
 */
export function previewFetch(realFetch: typeof fetch, config: PublicConfig, apiOrigin: string): typeof fetch {
  const configPath = `/v1/widget/${encodeURIComponent(config.siteKey)}/config`;
  return (input: RequestInfo | URL, init?: RequestInit) => {
    const request = typeof input === "object" && "url" in input ? input : null;
    const url = new URL(request ? request.url : String(input), apiOrigin);
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    if (url.origin === apiOrigin && url.pathname === configPath && method === "GET") {
      return Promise.resolve(
        new Response(JSON.stringify(config), {
          status: 200,
          headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
        }),
      );
    }
    return realFetch(input, init);
  };
}
