import type { AppDeps } from "../../deps.js";
import type { ErrorIssue } from "../../errors.js";
import type { SiteRecord } from "../sites/site-record.js";
import { type BotSettings, DEFAULT_BOT, DEFAULT_LIMITS, type SiteLimits } from "../sites/sites.schemas.js";
import { LIMIT_KEYS, PER_MINUTE_KEYS, type Plan } from "./plans.schemas.js";
import { planOf } from "./plans.store.js";

/**
 * Which ceilings bind a site. Every site: the number of sites and each per-minute limit (they
 * protect the server). Only a site answered on the platform key: the models, output tokens,
 * system prompt and the monthly messages and tokens (they protect the platform's bill; a site
 * with its owner's own key spends the owner's money, so those are the owner's choice).
 */
const bindsLimit = (key: keyof SiteLimits, platformKey: boolean) => platformKey || PER_MINUTE_KEYS.includes(key);

/** The site's limits capped by its plan's ceilings: what admission enforces, so a downgrade applies at once. */
export function limitsWithin(plan: Plan, limits: SiteLimits, platformKey: boolean): SiteLimits {
  const capped = { ...limits };
  for (const key of LIMIT_KEYS) {
    const ceiling = plan.limits[key];
    if (ceiling !== null && bindsLimit(key, platformKey)) capped[key] = Math.min(capped[key], ceiling);
  }
  return capped;
}

/** For the chat path: the site's limits under its owner's plan as it is now. */
export async function effectiveLimits(deps: Pick<AppDeps, "db" | "config">, site: SiteRecord): Promise<SiteLimits> {
  return limitsWithin(await planOf(deps, site.owner.planId), site.limits, site.apiKey === null);
}

/**
 * The site as its owner's plan allows it now, for every visitor route: its limits capped, and on
 * the platform key its model, output tokens and system prompt too. A site left above a
 * downgraded plan keeps its stored settings (an upgrade restores them) but answers within the
 * plan from the next request.
 */
export async function siteWithinPlan(deps: Pick<AppDeps, "db" | "config">, site: SiteRecord): Promise<SiteRecord> {
  const plan = await planOf(deps, site.owner.planId);
  const platformKey = site.apiKey === null;
  const bot = { ...site.bot };
  if (platformKey) {
    if (plan.models && !plan.models.includes(bot.model)) bot.model = plan.models[0];
    if (plan.maxOutputTokens !== null) bot.maxOutputTokens = Math.max(1, Math.min(bot.maxOutputTokens, plan.maxOutputTokens));
    if (plan.systemPromptChars !== null) bot.systemPrompt = bot.systemPrompt.slice(0, plan.systemPromptChars);
  }
  return { ...site, bot, limits: limitsWithin(plan, site.limits, platformKey) };
}

/** What a site's settings are checked against: the settings after the change, and which fields changed. */
export interface PlanCheck {
  bot: BotSettings;
  limits: SiteLimits;
  platformKey: boolean;
  /** dotted fields the request sets (`bot.model`, `limits.monthlyTokens`); null: every field (the key changed to the platform's) */
  fields: Set<string> | null;
}

/**
 * One issue per field set above the plan, named as the API names it. Only fields the request
 * sets are checked: a site left above a downgraded plan stays editable (admission caps it).
 */
export function planIssues(plan: Plan, { bot, limits, platformKey, fields }: PlanCheck): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const touched = (field: string) => fields === null || fields.has(field);
  if (platformKey) {
    if (touched("bot.model") && plan.models && !plan.models.includes(bot.model)) {
      issues.push({ path: "bot.model", message: `Your plan (${plan.name}) allows ${plan.models.join(", ")}.` });
    }
    if (touched("bot.maxOutputTokens") && plan.maxOutputTokens !== null && bot.maxOutputTokens > plan.maxOutputTokens) {
      issues.push({ path: "bot.maxOutputTokens", message: `Your plan (${plan.name}) allows at most ${plan.maxOutputTokens}.` });
    }
    if (touched("bot.systemPrompt") && plan.systemPromptChars !== null && bot.systemPrompt.length > plan.systemPromptChars) {
      issues.push({ path: "bot.systemPrompt", message: `Your plan (${plan.name}) allows at most ${plan.systemPromptChars} characters.` });
    }
  }
  for (const key of LIMIT_KEYS) {
    const ceiling = plan.limits[key];
    if (ceiling !== null && bindsLimit(key, platformKey) && touched(`limits.${key}`) && limits[key] > ceiling) {
      issues.push({ path: `limits.${key}`, message: `Your plan (${plan.name}) allows at most ${ceiling}.` });
    }
  }
  return issues;
}

/** A new site's defaults, each lowered to the plan's ceiling where it is above it (and only then stored). */
export function defaultsWithin(plan: Plan, platformKey: boolean): { bot: Partial<BotSettings>; limits: Partial<SiteLimits> } {
  const bot: Partial<BotSettings> = {};
  if (platformKey) {
    if (plan.models && !plan.models.includes(DEFAULT_BOT.model)) bot.model = plan.models[0];
    if (plan.maxOutputTokens !== null && DEFAULT_BOT.maxOutputTokens > plan.maxOutputTokens) {
      bot.maxOutputTokens = Math.max(1, plan.maxOutputTokens);
    }
    if (plan.systemPromptChars !== null && DEFAULT_BOT.systemPrompt.length > plan.systemPromptChars) {
      bot.systemPrompt = DEFAULT_BOT.systemPrompt.slice(0, plan.systemPromptChars);
    }
  }
  const limits: Partial<SiteLimits> = {};
  for (const [key, value] of Object.entries(limitsWithin(plan, DEFAULT_LIMITS, platformKey)) as Array<[keyof SiteLimits, number]>) {
    // A ceiling of 0 leaves nothing a limit can be (they are at least 1): the site simply cannot answer.
    if (value < DEFAULT_LIMITS[key]) limits[key] = Math.max(1, value);
  }
  return { bot, limits };
}
