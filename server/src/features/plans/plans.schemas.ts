import { z } from "zod";
import { QWEN_MODELS } from "../../llm/models.js";
import { DEFAULT_LIMITS, SiteLimits } from "../sites/sites.schemas.js";

type LimitKey = keyof SiteLimits;

/** Every limit a site has; a plan has a ceiling (or none: null) for each. */
export const LIMIT_KEYS = Object.keys(SiteLimits.shape) as LimitKey[];
/**
 * The per-minute limits, whatever SiteLimits grows: a ceiling for each one, and each binds every
 * site of the plan, its own DashScope key or not (they protect the server, not the key's bill).
 */
export const PER_MINUTE_KEYS = LIMIT_KEYS.filter((k) => k.endsWith("PerMinute"));

/** Like our ids: 3 to 64 letters, digits, - and _. */
export const PlanId = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "Use letters, digits, - and _.");

const Ceiling = z.number().int().min(0).nullable();

const KnowledgeCeilings = z.object({ sources: Ceiling, bytes: Ceiling, chunks: Ceiling }).strict();
const FREE_KNOWLEDGE = { sources: 20, bytes: 20 * 1024 * 1024, chunks: 2_000 };

export const PlanCeilings = z.object({
  /** how many sites an owner may have */
  maxSites: Ceiling,
  /** the models a site on the platform key may use; null: every model */
  models: z.array(z.enum(QWEN_MODELS)).min(1).nullable(),
  maxOutputTokens: Ceiling,
  /** characters of a site's system prompt on the platform key */
  systemPromptChars: Ceiling,
  /** per limit of SiteLimits: the highest value a site may set; null: no ceiling */
  limits: z.object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, Ceiling])) as Record<LimitKey, typeof Ceiling>),
  /**
   * What one site's knowledge base may hold (sources, bytes of originals, chunks); null: only the
   * server's own bounds (features/knowledge/knowledge-bounds.ts), which keep one site's index
   * within an instance's memory. A plan made without it gets the free plan's.
   */
  knowledge: KnowledgeCeilings.default(FREE_KNOWLEDGE),
});
export type PlanCeilings = z.infer<typeof PlanCeilings>;

export const Plan = PlanCeilings.extend({ id: PlanId, name: z.string().trim().min(1).max(60) });
export type Plan = z.infer<typeof Plan>;

const noCeilings = Object.fromEntries(LIMIT_KEYS.map((k) => [k, null])) as Record<LimitKey, null>;

/**
 * The plans every server has until the operator edits them. `free` is what a stranger gets:
 * per-minute ceilings at the release's defaults (so they follow SiteLimits as it grows), cheap
 * models, and a month that costs the platform a few CNY at most. `unlimited` has no ceiling.
 */
export const BUILT_IN_PLANS: readonly Plan[] = Object.freeze([
  {
    id: "free",
    name: "Free",
    maxSites: 3,
    models: ["qwen-flash", "qwen-plus"],
    maxOutputTokens: 1024,
    systemPromptChars: 2000,
    limits: {
      ...noCeilings,
      ...Object.fromEntries(PER_MINUTE_KEYS.map((k) => [k, DEFAULT_LIMITS[k]])),
      monthlyMessages: 500,
      monthlyTokens: 1_000_000,
      monthlyImages: 20,
    },
    knowledge: FREE_KNOWLEDGE,
  },
  {
    id: "unlimited",
    name: "Unlimited",
    maxSites: null,
    models: null,
    maxOutputTokens: null,
    systemPromptChars: null,
    limits: noCeilings,
    knowledge: { sources: null, bytes: null, chunks: null },
  },
]);

export const PlanListResponse = z.object({ plans: z.array(Plan), defaultPlan: z.string() });
export const PlanResponse = z.object({ plan: Plan });
export const PlanIdParams = z.object({ planId: PlanId });
/** What the operator changes of a plan: any of its fields, the limits one by one. */
export const PlanPatch = PlanCeilings.extend({ name: Plan.shape.name, limits: PlanCeilings.shape.limits.partial().strict() })
  .partial()
  .strict();
export type PlanBody = z.infer<typeof PlanPatch>;
export const PlanCreate = Plan.strict();

/** The owner's plan, its ceilings and the month's use against them (the owner's dashboard). */
export const MyPlanResponse = z.object({
  plan: Plan,
  /** the owner is one of the platform's operators: the dashboard shows them the operator pages */
  operator: z.boolean(),
  /**
   * Why none of the owner's sites answers visitors, if so (the serving gate): the operator
   * suspended them, or mail is configured and their email is not verified yet.
   */
  widgetsStopped: z.enum(["suspended", "unverified"]).nullable(),
  sites: z.object({ count: z.number(), max: z.number().nullable() }),
  month: z.string(),
  usage: z.array(
    z.object({
      siteId: z.string(),
      name: z.string(),
      /** false: the site answers with its owner's own key, and the plan's monthly ceilings do not bind it */
      platformKey: z.boolean(),
      messages: z.number(),
      tokens: z.number(),
      /** the month's ceilings that bind this site (its limits capped by the plan) */
      monthlyMessages: z.number(),
      monthlyTokens: z.number(),
    }),
  ),
});
export type MyPlanResponse = z.infer<typeof MyPlanResponse>;
