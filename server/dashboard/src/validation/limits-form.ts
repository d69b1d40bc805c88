import type { Site, SiteLimitsData } from "../api/types.js";
import type { FieldError } from "./rules.js";

export type LimitKey = keyof SiteLimitsData;

/** SiteLimits' bounds (sites.schemas.ts): whole numbers, each at least 1. */
export const LIMIT_BOUNDS: Record<LimitKey, { min: number; max: number }> = {
  visitorMessagesPerMinute: { min: 1, max: 600 },
  siteMessagesPerMinute: { min: 1, max: 100_000 },
  sessionsPerIpPerMinute: { min: 1, max: 1_000 },
  monthlyMessages: { min: 1, max: 100_000_000 },
  monthlyTokens: { min: 1, max: 100_000_000_000 },
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

/** The limits to send; only for a draft without errors. */
export const limitsOf = (draft: LimitsDraft): SiteLimitsData =>
  Object.fromEntries(LIMIT_KEYS.map((k) => [k, parse(draft[k])])) as SiteLimitsData;

export const limitsDirty = (draft: LimitsDraft, saved: Site["limits"]) => LIMIT_KEYS.some((k) => draft[k] !== String(saved[k]));
