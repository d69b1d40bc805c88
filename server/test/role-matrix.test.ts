import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteSpec } from "../src/http/route.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, json, signUpOwner, startVisitor, uniqueEmail } from "./support/harness.js";

/**
 * Every site route against every role (docs/people.md, "Roles"). `account`: any signed-in account
 * (the route is about its own sites); otherwise the least role allowed. A route not in this table
 * fails the test: a route added later must be classified here before it ships.
 */
type Need = "account" | "agent" | "admin" | "owner";
interface Case {
  route: string;
  need: Need;
  /** a valid body, so that a refusal is the role's and nothing else */
  body?: () => unknown;
  /** what the case is about, when a route has more than one */
  variant?: string;
}

const TABLE: Case[] = [
  { route: "GET /api/sites", need: "account" },
  { route: "POST /api/sites", need: "account", body: () => ({ name: "Own site" }) },
  { route: "GET /api/sites/:siteId", need: "agent" },
  { route: "PATCH /api/sites/:siteId", need: "admin", body: () => ({ name: "Renamed by the matrix" }) },
  { route: "PATCH /api/sites/:siteId", need: "owner", body: () => ({ apiKey: null }), variant: "apiKey" },
  { route: "DELETE /api/sites/:siteId", need: "owner" },
  { route: "GET /api/sites/:siteId/members", need: "owner" },
  { route: "POST /api/sites/:siteId/invitations", need: "owner", body: () => ({ email: uniqueEmail("matrix"), role: "agent" }) },
  { route: "DELETE /api/sites/:siteId/invitations/:invitationId", need: "owner" },
  { route: "PATCH /api/sites/:siteId/members/:accountId", need: "owner", body: () => ({ role: "agent" }) },
  // A member removing another (leaving, a member's own row, is members.test.ts's).
  { route: "DELETE /api/sites/:siteId/members/:accountId", need: "owner" },
  { route: "GET /api/sites/:siteId/conversations", need: "agent" },
  { route: "GET /api/sites/:siteId/conversations/:conversationId", need: "agent" },
  { route: "POST /api/sites/:siteId/conversations/:conversationId/messages", need: "agent", body: () => ({ content: "From the team." }) },
  { route: "PATCH /api/sites/:siteId/conversations/:conversationId", need: "agent", body: () => ({ status: "human" }) },
  { route: "POST /api/sites/:siteId/conversations/:conversationId/typing", need: "agent" },
  { route: "GET /api/sites/:siteId/events", need: "agent" },
  { route: "GET /api/sites/:siteId/usage", need: "admin" },
  { route: "GET /api/sites/:siteId/knowledge", need: "admin" },
  { route: "POST /api/sites/:siteId/knowledge", need: "admin", body: () => ({ kind: "text", title: "Matrix", text: "A text." }) },
  { route: "DELETE /api/sites/:siteId/knowledge/:sourceId", need: "admin" },
  { route: "POST /api/sites/:siteId/knowledge/:sourceId/refresh", need: "admin" },
  { route: "POST /api/sites/:siteId/knowledge/search", need: "admin", body: () => ({ q: "tea" }) },
  { route: "POST /api/sites/:siteId/bailian-app/test", need: "admin", body: () => ({ question: "Hello?" }) },
  { route: "GET /api/sites/:siteId/webhooks", need: "admin" },
  {
    route: "POST /api/sites/:siteId/webhooks",
    need: "admin",
    body: () => ({ url: "https://hooks.example.com/matrix-new", events: ["lead.captured"] }),
  },
  { route: "PATCH /api/sites/:siteId/webhooks/:webhookId", need: "admin", body: () => ({ enabled: false }) },
  { route: "DELETE /api/sites/:siteId/webhooks/:webhookId", need: "admin" },
  { route: "POST /api/sites/:siteId/webhooks/:webhookId/test", need: "admin" },
  { route: "GET /api/sites/:siteId/webhooks/:webhookId/deliveries", need: "admin" },
];

type Actor = "owner" | "admin" | "agent" | "outsider";
const ACTORS: Actor[] = ["owner", "admin", "agent", "outsider"];
const RANK = { agent: 1, admin: 2, owner: 3 } as const;

const key = (r: Pick<RouteSpec, "method" | "path">) => `${r.method} ${r.path}`;
const isSiteRoute = (r: RouteSpec) => r.path === "/api/sites" || r.path.startsWith("/api/sites/:siteId");

/** What the actor must get: allowed, or refused as a member below the role (403) or a stranger to the site (404). */
function expected(need: Need, actor: Actor): "allowed" | 403 | 404 {
  if (need === "account") return "allowed";
  if (actor === "outsider") return 404;
  return RANK[actor] >= RANK[need] ? "allowed" : 403;
}

interface World {
  siteId: string;
  conversationId: string;
  invitationId: string;
  sourceId: string;
  webhookId: string;
}

describe.each(DIALECTS)("the role matrix: every site route × owner, admin, agent, outsider (%s)", (dialect) => {
  let h: Harness;
  const cookies = {} as Record<Actor, string>;
  /** a member the calls on /members/:accountId act on (never the caller: leaving is another case) */
  let target: string;
  let shared: World;

  const addMember = (siteId: string, accountId: string, role: "admin" | "agent") =>
    h.deps.db.insertInto("site_members").values({ site_id: siteId, account_id: accountId, role, created_at: h.deps.now() }).execute();

  /** A site of the owner's with its team, a conversation and an invitation (and a knowledge source when asked). */
  async function world(withSource: boolean): Promise<World> {
    const site = await createSite(h, cookies.owner, { name: "Matrix site" });
    for (const [actor, role] of [
      ["admin", "admin"],
      ["agent", "agent"],
    ] as const) {
      const me = (await (await h.request("/api/me", { headers: { cookie: cookies[actor] } })).json()) as { owner: { id: string } };
      await addMember(site.id, me.owner.id, role);
    }
    await addMember(site.id, target, "agent");
    const { conversationId } = await startVisitor(h, site.siteKey);
    const inv = await h.request(
      `/api/sites/${site.id}/invitations`,
      json({ email: uniqueEmail("pending"), role: "agent" }, { cookie: cookies.owner }),
    );
    expect(inv.status).toBe(201);
    const { invitation } = (await inv.json()) as { invitation: { id: string } };
    const hook = await h.request(
      `/api/sites/${site.id}/webhooks`,
      json({ url: "https://hooks.example.com/matrix", events: ["message.created"] }, { cookie: cookies.owner }),
    );
    expect(hook.status).toBe(201);
    const { webhook } = (await hook.json()) as { webhook: { id: string } };
    let sourceId = "src_notasourceofthissite0";
    if (withSource) {
      const res = await h.request(
        `/api/sites/${site.id}/knowledge`,
        json({ kind: "text", title: "Tea", text: "Green tea." }, { cookie: cookies.owner }),
      );
      expect(res.status).toBe(201);
      sourceId = ((await res.json()) as { sources: Array<{ id: string }> }).sources[0].id;
    }
    return { siteId: site.id, conversationId, invitationId: invitation.id, sourceId, webhookId: webhook.id };
  }

  beforeAll(async () => {
    h = await createHarness(dialect);
    cookies.owner = (await signUpOwner(h)).cookie;
    cookies.admin = (await signUpOwner(h, uniqueEmail("admin"))).cookie;
    cookies.agent = (await signUpOwner(h, uniqueEmail("agent"))).cookie;
    const outsider = await signUpOwner(h, uniqueEmail("outsider"));
    cookies.outsider = outsider.cookie;
    // The outsider owns a site of their own: they are an owner, just not of this one.
    await createSite(h, outsider.cookie, { name: "Outsider's own" });
    target = (await signUpOwner(h, uniqueEmail("target"))).ownerId;
    shared = await world(true);
  });
  afterAll(async () => {
    await h.deps.tasks.idle();
    await h.close();
  });

  it("classifies every site route (a new route must be added to the table)", () => {
    const routes = h.app.router.routes.filter(isSiteRoute).map(key).sort();
    const table = [...new Set(TABLE.map((c) => c.route))].sort();
    expect(routes).toEqual(table);
  });

  const cases = TABLE.flatMap((c) => ACTORS.map((actor) => ({ ...c, actor, expect: expected(c.need, actor) })));

  it.each(cases)("$route $variant as $actor: $expect", async (c) => {
    // Deleting acts on a world of its own, so no later case finds its site or ids gone.
    const w = c.route.startsWith("DELETE") ? await world(false) : shared;
    const [method, pattern] = c.route.split(" ");
    const path = pattern
      .replace(":siteId", w.siteId)
      .replace(":conversationId", w.conversationId)
      .replace(":invitationId", w.invitationId)
      .replace(":sourceId", w.sourceId)
      .replace(":webhookId", w.webhookId)
      .replace(":accountId", target);
    const headers = { cookie: cookies[c.actor] };
    const body = c.body?.();
    const res = await h.request(path, body === undefined ? { method, headers } : { ...json(body, headers), method });
    const text = res.headers.get("content-type")?.includes("event-stream") ? "" : await res.text();
    await res.body?.cancel().catch(() => {});
    const error = text.startsWith("{") ? ((JSON.parse(text) as { error?: { code: string; message: string } }).error ?? null) : null;
    const outcome = { status: res.status, code: error?.code ?? null };

    if (c.expect === 403) expect(outcome).toEqual({ status: 403, code: "forbidden" });
    else if (c.expect === 404) expect(outcome).toEqual({ status: 404, code: "not_found" });
    else {
      // Allowed: whatever the dummy body or id earns, but never a refusal of the caller or of the site.
      expect(res.status, text).not.toBe(401);
      expect(res.status, text).not.toBe(403);
      expect(res.status, text).toBeLessThan(500);
      expect(error?.message ?? "", text).not.toBe("No such site.");
    }
    // A stranger learns nothing of the site from its answer.
    if (c.actor === "outsider") expect(text).not.toContain("Matrix site");
  });

  it("the site lists show each account its role, and the outsider nothing of the site", async () => {
    const roles: Record<Actor, string | undefined> = { owner: "owner", admin: "admin", agent: "agent", outsider: undefined };
    for (const actor of ACTORS) {
      const { sites } = (await (await h.request("/api/sites", { headers: { cookie: cookies[actor] } })).json()) as {
        sites: Array<{ id: string; role: string }>;
      };
      expect(sites.find((s) => s.id === shared.siteId)?.role, actor).toBe(roles[actor]);
    }
  });
});
