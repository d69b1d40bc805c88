import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { Email } from "../auth/auth.schemas.js";
import { PlanId } from "../plans/plans.schemas.js";

export const SignUpMode = z.enum(["open", "invite", "closed"]);
export type SignUpMode = z.infer<typeof SignUpMode>;

export const OperatorSettings = z.object({
  signupMode: SignUpMode,
  /** tokens a month on the platform key; null: unlimited */
  platformMonthlyTokens: z.number().int().min(1).nullable(),
});
export type OperatorSettings = z.infer<typeof OperatorSettings>;
export const SettingsPatch = OperatorSettings.partial().strict();

/** The month's use: messages and tokens as the quotas count them, cost estimated from llm/prices.ts. */
const MonthUse = {
  messages: z.number(),
  tokens: z.number(),
  /** CNY at the prices of `pricesAsOf`; calls of models without a price are left out */
  estimatedCostCny: z.number(),
};

export const OperatorOwner = z.object({
  id: z.string(),
  email: z.string(),
  /** the plan they are on (DEFAULT_PLAN when none was assigned) */
  plan: z.string(),
  /** false: on DEFAULT_PLAN because none was assigned */
  planAssigned: z.boolean(),
  verified: z.boolean(),
  operator: z.boolean(),
  suspended: z.boolean(),
  sites: z.number(),
  ...MonthUse,
  createdAt: z.string(),
});

export const OperatorSite = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  ownerEmail: z.string(),
  /** whose DashScope key answers: the platform's, or the owner's own */
  key: z.enum(["platform", "own"]),
  suspended: z.boolean(),
  ownerSuspended: z.boolean(),
  ...MonthUse,
  createdAt: z.string(),
});

export const OwnersResponse = z.object({ month: z.string(), pricesAsOf: z.string(), owners: z.array(OperatorOwner) });
export const SitesResponse = z.object({ month: z.string(), pricesAsOf: z.string(), sites: z.array(OperatorSite) });

export const SpendResponse = z.object({
  month: z.string(),
  /** tokens answered on the platform key this month */
  tokens: z.number(),
  budget: z.number().nullable(),
  overBudget: z.boolean(),
});

export const OverviewResponse = z.object({ settings: OperatorSettings, spend: SpendResponse });

export const SuspendBody = z.object({ suspended: z.boolean() }).strict();
export const OwnerPlanBody = z.object({ planId: PlanId.nullable() }).strict();
export const OwnerIdParams = z.object({ ownerId: IdParam });
export const SiteIdParams = z.object({ siteId: IdParam });

export const InvitationCreate = z.strictObject({ email: Email.optional() });

export type Invitation = z.infer<typeof Invitation>;
export const Invitation = z.object({
  id: z.string(),
  email: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  status: z.enum(["open", "used", "expired"]),
});
/** Made now: the link (with its token) is shown this once, and mailed when an email was given. */
export const InvitationCreated = z.object({ invitation: Invitation, link: z.string(), mailed: z.boolean() });
export const InvitationsResponse = z.object({ invitations: z.array(Invitation) });
