import type {
  ApiErrorBody,
  ConversationDetailData,
  ConversationFilters,
  ConversationPageData,
  CredentialsInput,
  SignUpInput,
  InstallInfo,
  InboxConversation,
  InboxFilter,
  Lang,
  Member,
  Message,
  Invitation,
  InvitationCreated,
  BailianAppTestResult,
  KnowledgeCreateInput,
  KnowledgeResult,
  KnowledgeSource,
  Member,
  MemberRole,
  MyPlan,
  OperatorOverview,
  OperatorOwners,
  OperatorSettings,
  OperatorSites,
  Owner,
  Plan,
  PlanPatchInput,
  Site,
  SiteCreateInput,
  SiteInvitation,
  SitePatchInput,
  UsageResponse,
  Webhook,
  WebhookCreateInput,
  WebhookDelivery,
  WebhookPatchInput,
} from "./types.js";

/**
 * An API failure as the dashboard branches on it: the server's stable `code` (never its text),
 * `network` when no answer came, and the zod issues naming the fields concerned.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
    /** from Retry-After: when a refused request (429) may be tried again */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiOptions {
  /** the page's fetch by default; tests pass the real server's */
  fetch?: typeof fetch;
  /** called when a signed-in call is answered 401: the session ended */
  onUnauthorized?: () => void;
}

export type Api = ReturnType<typeof createApi>;

/** The owner API, same origin, session cookie. */
export function createApi(options: ApiOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function call<T>(method: string, path: string, body?: unknown, { session = true } = {}): Promise<T> {
    let res: Response;
    try {
      // A form (files) goes as multipart: the browser writes its content-type with the boundary.
      const form = typeof FormData !== "undefined" && body instanceof FormData;
      res = await doFetch(path, {
        method,
        credentials: "same-origin",
        headers:
          body === undefined || form ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiError("network", 0, "network");
    }
    // 204, and 202 (accepted, e.g. a password reset request): no body.
    if (res.status === 204 || res.status === 202) return undefined as T;
    const data = (await res.json().catch(() => null)) as unknown;
    if (res.ok && data !== null) return data as T;
    const error = (data as ApiErrorBody | null)?.error;
    const failure = new ApiError(
      error?.code ?? (res.ok ? "internal" : `http_${res.status}`),
      res.status,
      error?.message ?? res.statusText,
      error?.issues ?? [],
      Number(res.headers.get("retry-after")) || null,
    );
    if (failure.code === "unauthorized" && session) options.onUnauthorized?.();
    throw failure;
  }

  const site = (id: string) => `/api/sites/${encodeURIComponent(id)}`;

  return {
    me: () => call<{ owner: Owner }>("GET", "/api/me", undefined, { session: false }),
    signUp: (body: SignUpInput) => call<{ owner: Owner }>("POST", "/api/auth/signup", body, { session: false }),
    logIn: (body: CredentialsInput) => call<{ owner: Owner }>("POST", "/api/auth/login", body, { session: false }),
    /** where pages load widget.js from and the API it talks to, for the install snippet */
    installInfo: () => call<{ install: InstallInfo }>("GET", "/api/me/install"),
    logOut: () => call<void>("POST", "/api/auth/logout", undefined, { session: false }),
    // The account (features/account on the server).
    verifyEmail: (token: string) => call<void>("POST", "/api/auth/verify-email", { token }, { session: false }),
    resendVerification: () => call<{ verification: Owner["verification"]; sent: boolean }>("POST", "/api/me/verification-email"),
    requestPasswordReset: (email: string) => call<void>("POST", "/api/auth/password-reset", { email }, { session: false }),
    confirmPasswordReset: (token: string, password: string) =>
      call<void>("POST", "/api/auth/password-reset/confirm", { token, password }, { session: false }),
    changePassword: (currentPassword: string, newPassword: string) =>
      call<void>("POST", "/api/me/password", { currentPassword, newPassword }),
    signOutEverywhere: () => call<void>("POST", "/api/me/sign-out-everywhere"),
    patchAccount: (body: { language?: Lang; displayName?: string }) => call<{ owner: Owner }>("PATCH", "/api/me", body),
    listSites: () => call<{ sites: Site[] }>("GET", "/api/sites"),
    createSite: (body: SiteCreateInput) => call<{ site: Site }>("POST", "/api/sites", body),
    getSite: (id: string) => call<{ site: Site }>("GET", site(id)),
    patchSite: (id: string, patch: SitePatchInput) => call<{ site: Site }>("PATCH", site(id), patch),
    deleteSite: (id: string) => call<void>("DELETE", site(id)),
    conversations: (id: string, filters: ConversationFilters = {}) => {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value !== undefined && value !== "") query.set(key, String(value));
      const qs = query.toString();
      return call<ConversationPageData>("GET", `${site(id)}/conversations${qs ? `?${qs}` : ""}`);
    },
    conversation: (id: string, conversationId: string) =>
      call<ConversationDetailData & { conversation: InboxConversation }>(
        "GET",
        `${site(id)}/conversations/${encodeURIComponent(conversationId)}`,
      ),
    /** the inbox: `status` narrows it (open: waiting or human) */
    inbox: (id: string, status?: InboxFilter, cursor?: string) => {
      const query = new URLSearchParams({ limit: "50" });
      if (status) query.set("status", status);
      if (cursor) query.set("cursor", cursor);
      return call<{ conversations: InboxConversation[]; nextCursor: string | null }>("GET", `${site(id)}/conversations?${query}`);
    },
    /** a team member's reply: role agent, with the member's name; the conversation becomes `human` */
    reply: (id: string, conversationId: string, content: string) =>
      call<{ message: Message }>("POST", `${site(id)}/conversations/${encodeURIComponent(conversationId)}/messages`, { content }),
    patchConversation: (id: string, conversationId: string, patch: { status?: "bot" | "human" | "closed"; assigneeId?: string | null }) =>
      call<{ conversation: InboxConversation }>("PATCH", `${site(id)}/conversations/${encodeURIComponent(conversationId)}`, patch),
    /** tells the visitor a person is typing */
    typing: (id: string, conversationId: string) =>
      call<void>("POST", `${site(id)}/conversations/${encodeURIComponent(conversationId)}/typing`),
    members: (id: string) => call<{ members: Member[] }>("GET", `${site(id)}/members`),
    /**
     * The site's live events (SSE) as the raw response, read by live/event-stream.ts. Through the
     * same fetch as every call, so the session cookie goes with it.
     */
    events: (id: string, lastEventId: string | null, signal: AbortSignal) =>
      doFetch(`${site(id)}/events`, {
        credentials: "same-origin",
        headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
        signal,
      }),
    /** `tz`: the owner's offset from UTC in minutes (-getTimezoneOffset()), so days end at their midnight. */
    usage: (id: string, tz: number) => call<UsageResponse>("GET", `${site(id)}/usage?tz=${tz}`),
    // The site's knowledge base (features/knowledge on the server).
    knowledge: (id: string) => call<{ sources: KnowledgeSource[] }>("GET", `${site(id)}/knowledge`),
    addKnowledge: (id: string, body: KnowledgeCreateInput) =>
      call<{ source: KnowledgeSource; sources: KnowledgeSource[] }>("POST", `${site(id)}/knowledge`, body),
    /** files as multipart, one `file` field each */
    uploadKnowledge: (id: string, files: readonly File[]) => {
      const form = new FormData();
      for (const file of files) form.append("file", file, file.name);
      return call<{ source: KnowledgeSource; sources: KnowledgeSource[] }>("POST", `${site(id)}/knowledge`, form);
    },
    deleteKnowledge: (id: string, sourceId: string) => call<void>("DELETE", `${site(id)}/knowledge/${encodeURIComponent(sourceId)}`),
    refreshKnowledge: (id: string, sourceId: string) =>
      call<{ source: KnowledgeSource }>("POST", `${site(id)}/knowledge/${encodeURIComponent(sourceId)}/refresh`),
    searchKnowledge: (id: string, q: string) => call<{ results: KnowledgeResult[] }>("POST", `${site(id)}/knowledge/search`, { q }),
    // The site's webhooks (features/webhooks on the server); the secret comes only in addWebhook's answer.
    webhooks: (id: string) => call<{ webhooks: Webhook[] }>("GET", `${site(id)}/webhooks`),
    addWebhook: (id: string, body: WebhookCreateInput) => call<{ webhook: Webhook; secret: string }>("POST", `${site(id)}/webhooks`, body),
    patchWebhook: (id: string, webhookId: string, body: WebhookPatchInput) =>
      call<{ webhook: Webhook }>("PATCH", `${site(id)}/webhooks/${encodeURIComponent(webhookId)}`, body),
    deleteWebhook: (id: string, webhookId: string) => call<void>("DELETE", `${site(id)}/webhooks/${encodeURIComponent(webhookId)}`),
    testWebhook: (id: string, webhookId: string) =>
      call<{ delivery: WebhookDelivery }>("POST", `${site(id)}/webhooks/${encodeURIComponent(webhookId)}/test`),
    webhookDeliveries: (id: string, webhookId: string) =>
      call<{ deliveries: WebhookDelivery[] }>("GET", `${site(id)}/webhooks/${encodeURIComponent(webhookId)}/deliveries`),
    testBailianApp: (id: string, question: string) => call<BailianAppTestResult>("POST", `${site(id)}/bailian-app/test`, { question }),
    // The site's team (features/members on the server).
    team: (id: string) => call<{ members: Member[]; invitations: SiteInvitation[] }>("GET", `${site(id)}/members`),
    invite: (id: string, email: string, role: MemberRole) =>
      call<{ invitation: SiteInvitation }>("POST", `${site(id)}/invitations`, { email, role }),
    revokeInvitation: (id: string, invitationId: string) =>
      call<void>("DELETE", `${site(id)}/invitations/${encodeURIComponent(invitationId)}`),
    changeRole: (id: string, accountId: string, role: MemberRole) =>
      call<{ member: Member }>("PATCH", `${site(id)}/members/${encodeURIComponent(accountId)}`, { role }),
    removeMember: (id: string, accountId: string) => call<void>("DELETE", `${site(id)}/members/${encodeURIComponent(accountId)}`),
    acceptInvitation: (token: string) => call<{ site: Site }>("POST", "/api/invitations/accept", { token }),
    /** the owner's plan, its ceilings and the month's use; `operator` tells whether to show the operator pages */
    myPlan: () => call<MyPlan>("GET", "/api/me/plan"),
    operator: {
      overview: () => call<OperatorOverview>("GET", "/api/operator/overview"),
      saveSettings: (body: Partial<OperatorSettings>) => call<OperatorSettings>("PATCH", "/api/operator/settings", body),
      owners: () => call<OperatorOwners>("GET", "/api/operator/owners"),
      sites: () => call<OperatorSites>("GET", "/api/operator/sites"),
      suspendOwner: (id: string, suspended: boolean) =>
        call<void>("POST", `/api/operator/owners/${encodeURIComponent(id)}/suspension`, { suspended }),
      suspendSite: (id: string, suspended: boolean) =>
        call<void>("POST", `/api/operator/sites/${encodeURIComponent(id)}/suspension`, { suspended }),
      setPlan: (ownerId: string, planId: string | null) =>
        call<void>("POST", `/api/operator/owners/${encodeURIComponent(ownerId)}/plan`, { planId }),
      plans: () => call<{ plans: Plan[]; defaultPlan: string }>("GET", "/api/operator/plans"),
      patchPlan: (id: string, body: PlanPatchInput) => call<{ plan: Plan }>("PATCH", `/api/operator/plans/${encodeURIComponent(id)}`, body),
      invitations: () => call<{ invitations: Invitation[] }>("GET", "/api/operator/invitations"),
      invite: (email?: string) => call<InvitationCreated>("POST", "/api/operator/invitations", email ? { email } : {}),
    },
  };
}
