import type { Site, SiteLimitsData } from "../api/types.js";
import type { FieldError } from "./rules.js";

export type LimitKey = keyof SiteLimitsData;

/** SiteLimits' bounds (sites.schemas.ts): whole numbers, each at least 1 (pictures drawn a month: 0 allows none). */
export const LIMIT_BOUNDS: Record<LimitKey, { min: number; max: number }> = {
  visitorMessagesPerMinute: { min: 1, max: 600 },
  siteMessagesPerMinute: { min: 1, max: 100_000 },
  sessionsPerIpPerMinute: { min: 1, max: 1_000 },
  ipMessagesPerMinute: { min: 1, max: 100_000 },
  monthlyMessages: { min: 1, max: 100_000_000 },
  monthlyTokens: { min: 1, max: 100_000_000_000 },
  monthlyImages: { min: 0, max: 1_000_000 },
};

export const LIMIT_KEYS = Object.keys(LIMIT_BOUNDS) as LimitKey[];

/** As typed: text until valid. Spaces and thousands separators an owner may type are allowed. */
export type LimitsDraft = Record<LimitKey, string>;

export const limitsDraftOf = (limits: Site["limits"]): LimitsDraft =>
  Object.fromEntries(LIMIT_KEYS.map((k) => [k, String(limits[k])])) as LimitsDraft;

const parse = (value: string) => Number(value.replace(/[\s,_]/g, ""));

export function checkLimit(draft: LimitsDraft, key: LimitKey): FieldError | null {
  if (!draft[key].trim()) return { code: "required" };
  const n = parse(draft[key]);
  const { min, max } = LIMIT_BOUNDS[key];
  return Number.isSafeInteger(n) && n >= min && n <= max ? null : { code: "range", min, max };
}

export function validateLimits(draft: LimitsDraft): Partial<Record<LimitKey, FieldError>> {
  const errors: Partial<Record<LimitKey, FieldError>> = {};
  for (const key of LIMIT_KEYS) {
    const error = checkLimit(draft, key);
    if (error) errors[key] = error;
  }
  return errors;
}

/**
 * The defaults let one IP address send at most a quarter of the site's messages a minute. Above
 * that the owner is told (not refused: a site whose visitors share one office address may want
 * more), since one address could then crowd out everyone else.
 */
export const MAX_IP_SHARE = 4;

export function ipShareTooLarge(draft: LimitsDraft): boolean {
  if (checkLimit(draft, "ipMessagesPerMinute") || checkLimit(draft, "siteMessagesPerMinute")) return false;
  return parse(draft.ipMessagesPerMinute) * MAX_IP_SHARE > parse(draft.siteMessagesPerMinute);
}

/** The percentage of the site's minute one address may take (100 at most: the site's limit still holds). */
export const ipShare = (draft: LimitsDraft): number =>
  Math.min(100, Math.round((parse(draft.ipMessagesPerMinute) * 100) / parse(draft.siteMessagesPerMinute)));

/** The limits to send; only for a draft without errors. */
export const limitsOf = (draft: LimitsDraft): SiteLimitsData =>
  Object.fromEntries(LIMIT_KEYS.map((k) => [k, parse(draft[k])])) as SiteLimitsData;

export const limitsDirty = (draft: LimitsDraft, saved: Site["limits"]) => LIMIT_KEYS.some((k) => draft[k] !== String(saved[k]));
