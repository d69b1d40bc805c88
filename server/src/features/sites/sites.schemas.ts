import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { QWEN_MODELS } from "../../llm/models.js";
import { MAX_ORIGIN_CHARS, normaliseOrigin } from "../../shared/origins.js";
import { HandoffSettings } from "../handoff/handoff.settings.js";
import { MediaSettings } from "../media/media.settings.js";

export const LANGUAGES = ["zh-CN", "en"] as const;
export const KNOWLEDGE_MODES = ["off", "prefer", "only"] as const;

/** An origin as browsers send it (scheme://host[:port]); `https://*.example.com` allows every subdomain. */
export const AllowedOrigin = z
  .string()
  .trim()
  .max(MAX_ORIGIN_CHARS)
  .transform((value, ctx) => {
    const origin = normaliseOrigin(value);
    if (origin) return origin;
    ctx.addIssue({ code: "custom", message: "Use an origin such as https://shop.example.com (no path)." });
    return z.NEVER;
  });

const Text = (max: number) => z.string().trim().max(max);

export const BotSettings = z.object({
  displayName: Text(60).min(1),
  avatarUrl: z.union([z.url({ protocol: /^https?$/ }).max(500), z.null()]),
  primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #4f46e5."),
  welcomeMessage: Text(500),
  suggestedQuestions: z.array(Text(120).min(1)).max(6),
  systemPrompt: Text(8000),
  model: z.enum(QWEN_MODELS),
  // DashScope accepts [0, 2) (dashscope.md §2.1).
  temperature: z.number().min(0).lt(2),
  maxOutputTokens: z.number().int().min(1).max(8192),
  language: z.enum(LANGUAGES),
  /**
   * The site's knowledge base: "prefer" uses what is found and otherwise answers normally; "only"
   * answers from it alone, and says politely that it does not know (with contactText) otherwise.
   */
  knowledge: z.enum(KNOWLEDGE_MODES),
  /** how visitors reach a person (an email, a phone number, a page), offered when the bot cannot answer */
  contactText: Text(500),
  /** answers come from this Bailian application (the site's own DashScope key required); null: from Qwen */
  bailianAppId: z.union([
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "Use the application's id (letters, digits, - and _)."),
    z.null(),
  ]),
  /** the application's workspace, when it is not the key's default workspace */
  bailianWorkspaceId: z.union([
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "Use the workspace id (letters, digits, - and _)."),
    z.null(),
  ]),
});
export type BotSettings = z.infer<typeof BotSettings>;

export const DEFAULT_BOT: BotSettings = {
  displayName: "Assistant",
  avatarUrl: null,
  primaryColor: "#4f46e5",
  welcomeMessage: "你好！有什么可以帮你的吗？",
  suggestedQuestions: [],
  systemPrompt: "You are a friendly, concise assistant for this website. Answer in the visitor's language.",
  model: "qwen-flash",
  temperature: 0.7,
  maxOutputTokens: 1024,
  language: "zh-CN",
  knowledge: "prefer",
  contactText: "",
  bailianAppId: null,
  bailianWorkspaceId: null,
};

/** A site's limits (security/limits.ts enforces them): the bounds of what an owner may set. */
export const SiteLimits = z.object({
  visitorMessagesPerMinute: z.number().int().min(1).max(600),
  siteMessagesPerMinute: z.number().int().min(1).max(100_000),
  sessionsPerIpPerMinute: z.number().int().min(1).max(1_000),
  /** messages from one IP address to the site: one address with many visitors cannot fill the site's minute */
  ipMessagesPerMinute: z.number().int().min(1).max(100_000),
  monthlyMessages: z.number().int().min(1).max(100_000_000),
  monthlyTokens: z.number().int().min(1).max(100_000_000_000),
  /** pictures the bot may draw in a month (Wanx bills each one; docs/media.md) */
  monthlyImages: z.number().int().min(0).max(1_000_000),
});
export type SiteLimits = z.infer<typeof SiteLimits>;

/**
 * A site's limits until its owner changes them. One IP address may send at most a quarter of the
 * site's messages a minute (issue 11: 20 sessions an IP × 10 messages a visitor was more than the
 * site's 120, so one address filled it), and a visitor at most a third of an address's.
 */
export const DEFAULT_LIMITS: SiteLimits = {
  visitorMessagesPerMinute: 10,
  siteMessagesPerMinute: 120,
  sessionsPerIpPerMinute: 20,
  ipMessagesPerMinute: 30,
  monthlyMessages: 10_000,
  monthlyTokens: 5_000_000,
  monthlyImages: 100,
};

const SiteName = Text(100).min(1, "Give the site a name.");
// A DashScope key: written, never read back. null removes it (the server's key is used again).
const ApiKeyInput = z.union([
  z
    .string()
    .trim()
    .min(8)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, "The key has characters a key cannot have."),
  z.null(),
]);

// Strict like the patch: a misspelt field is refused with its name, not silently dropped with a 201.
export const SiteCreate = z
  .object({
    name: SiteName,
    allowedOrigins: z.array(AllowedOrigin).max(20).default([]),
    bot: BotSettings.partial().strict().default({}),
    limits: SiteLimits.partial().strict().default({}),
    apiKey: ApiKeyInput.optional(),
  })
  .strict();
export type SiteCreate = z.infer<typeof SiteCreate>;

export const SitePatch = z
  .object({
    name: SiteName,
    allowedOrigins: z.array(AllowedOrigin).max(20),
    // Strict like the patch itself: a misspelt field is refused, not silently dropped with a 200.
    bot: BotSettings.partial().strict(),
    limits: SiteLimits.partial().strict(),
    /** merged field by field like bot (docs/people.md "Settings") */
    handoff: HandoffSettings.partial().strict(),
    /** merged field by field like bot (docs/media.md "Settings") */
    media: MediaSettings.partial().strict(),
    apiKey: ApiKeyInput,
  })
  .partial()
  .strict();
export type SitePatch = z.infer<typeof SitePatch>;

export const Site = z.object({
  id: z.string(),
  /** the signed-in account's role on the site: what the dashboard shows it */
  role: z.enum(["owner", "admin", "agent"]),
  siteKey: z.string(),
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  bot: BotSettings,
  limits: SiteLimits,
  /** handing conversations over to a person: off by default */
  handoff: HandoffSettings,
  /** pictures, voice, read-aloud and drawing: each off by default (docs/media.md) */
  media: MediaSettings,
  /** usable: false when the stored key can no longer be decrypted (APP_SECRET changed): the owner must enter it again */
  apiKey: z.object({ set: z.boolean(), last4: z.string().nullable(), usable: z.boolean() }),
  /** stored settings today's schema refuses, read as their defaults until the owner saves */
  resetFields: z.array(z.object({ field: z.string(), message: z.string() })),
  /** the operator suspended the site or its owner: its widget shows the unavailable sentence */
  suspended: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Site = z.infer<typeof Site>;

export const SiteResponse = z.object({ site: Site });
export const SiteListResponse = z.object({ sites: z.array(Site) });
export const SiteIdParams = z.object({ siteId: IdParam });
