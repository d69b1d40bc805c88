import type { z } from "zod";
import type { SitesTable } from "../../db/schema.js";
import { DEFAULT_HANDOFF, HandoffSettings } from "../handoff/handoff.settings.js";
import { DEFAULT_MEDIA, MediaSettings } from "../media/media.settings.js";
import { AllowedOrigin, BotSettings, DEFAULT_BOT, DEFAULT_LIMITS, SiteLimits } from "./sites.schemas.js";

/** A stored value that today's schema no longer accepts, read as its default instead. */
export interface ResetField {
  /** dotted path as the API names it: `bot.model`, `limits.monthlyTokens`, `allowedOrigins` */
  field: string;
  /** why, as the schema says it */
  message: string;
}

/**
 * A site as the services see it: parsed once, when its row is read (or cached), never again on
 * the chat path. Its settings are always valid under today's schemas, whatever the row held.
 */
export interface SiteRecord {
  id: string;
  ownerId: string;
  siteKey: string;
  name: string;
  allowedOrigins: string[];
  bot: BotSettings;
  limits: SiteLimits;
  /** whether visitors may ask for a person, and when the team is there (features/handoff) */
  handoff: HandoffSettings;
  /** which of pictures, voice, read-aloud and drawing visitors get (features/media, docs/media.md) */
  media: MediaSettings;
  /** the site's own DashScope key, sealed (security/secret-box.ts); null: the server's key is used */
  apiKey: { sealed: string; last4: string | null } | null;
  resetFields: ResetField[];
  /** the operator suspended the site: its widget API answers 403 site_suspended */
  suspended: boolean;
  /** what the widget path needs of the site's owner, read with the site (and cached with it) */
  owner: SiteOwnerState;
  createdAt: number;
  updatedAt: number;
}

export interface SiteOwnerState {
  /** null: the server's DEFAULT_PLAN */
  planId: string | null;
  /** the operator suspended the owner: none of their sites answers */
  suspended: boolean;
  emailVerified: boolean;
}

/** A sites row with its owner's state (the repository joins owners). */
export type SiteRow = SitesTable & {
  owner_plan_id: string | null;
  owner_suspended_at: number | null;
  owner_email_verified_at: number | null;
};

/**
 * Reads a row tolerantly, field by field: a release that narrows a schema (a model taken off the
 * list, a lower maximum) must not turn stored sites into 500s. An invalid field falls back to its
 * default and is named in `resetFields`, for the owner; a field the row lacks (added later) takes
 * its default silently.
 */
export function siteFromRow(row: SiteRow): SiteRecord {
  const resetFields: ResetField[] = [];
  const bot = readObject(row.bot, "bot", BotSettings, DEFAULT_BOT, resetFields);
  const limits = readObject(row.limits, "limits", SiteLimits, DEFAULT_LIMITS, resetFields);
  return {
    id: row.id,
    ownerId: row.owner_id,
    siteKey: row.site_key,
    name: row.name,
    allowedOrigins: readOrigins(row.allowed_origins, resetFields),
    bot,
    limits,
    handoff: readObject(row.handoff, "handoff", HandoffSettings, DEFAULT_HANDOFF, resetFields),
    media: readObject(row.media, "media", MediaSettings, DEFAULT_MEDIA, resetFields),
    apiKey: row.api_key_enc ? { sealed: row.api_key_enc, last4: row.api_key_last4 } : null,
    resetFields,
    suspended: row.suspended_at !== null,
    owner: {
      planId: row.owner_plan_id,
      suspended: row.owner_suspended_at !== null,
      emailVerified: row.owner_email_verified_at !== null,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

type Shape<T> = z.ZodObject<{ [K in keyof T]: z.ZodType<T[K]> }>;

function readObject<T extends object>(json: string | null, name: string, schema: Shape<T>, defaults: T, resetFields: ResetField[]): T {
  const stored = parseJson(json);
  if (json !== null && (stored === undefined || typeof stored !== "object" || stored === null || Array.isArray(stored))) {
    resetFields.push({ field: name, message: "The stored settings could not be read." });
    return { ...defaults };
  }
  const value = { ...defaults };
  for (const key of Object.keys(schema.shape) as Array<keyof T & string>) {
    if (!stored || !Object.hasOwn(stored, key)) continue;
    const parsed = schema.shape[key].safeParse((stored as Record<string, unknown>)[key]);
    if (parsed.success) value[key] = parsed.data as T[typeof key];
    else resetFields.push({ field: `${name}.${key}`, message: parsed.error.issues[0]?.message ?? "Invalid value." });
  }
  return value;
}

function readOrigins(json: string, resetFields: ResetField[]): string[] {
  const stored = parseJson(json);
  if (!Array.isArray(stored)) {
    resetFields.push({ field: "allowedOrigins", message: "The stored origins could not be read." });
    return [];
  }
  const origins: string[] = [];
  for (const entry of stored) {
    const parsed = AllowedOrigin.safeParse(entry);
    if (parsed.success) origins.push(parsed.data);
    else resetFields.push({ field: "allowedOrigins", message: `${String(entry).slice(0, 200)}: ${parsed.error.issues[0]?.message}` });
  }
  return origins;
}

function parseJson(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
