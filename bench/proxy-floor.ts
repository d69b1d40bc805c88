// The floor for streaming overhead: a minimal h3 app that passes the upstream SSE straight through.
import { H3 } from "h3";
import { serve } from "srvx";

const upstream = process.env.UPSTREAM!;
const app = new H3();
app.get("/health", () => "ok");
app.post("/chat", async (event) => {
  const res = await fetch(`${upstream}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: event.req.headers.get("authorization") ?? "" },
    body: await event.req.text(),
  });
  return new Response(res.body, { status: res.status, headers: { "content-type": "text/event-stream" } });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1", silent: true, gracefulShutdown: false });
