import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { PublicMedia } from "../media/media.settings.js";
import { LANGUAGES } from "../sites/sites.schemas.js";

export const SiteKeyParams = z.object({ siteKey: IdParam });

/** What any page may read about a bot: no system prompt, no model settings, no key. */
export const PublicConfig = z.object({
  siteKey: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  primaryColor: z.string(),
  welcomeMessage: z.string(),
  suggestedQuestions: z.array(z.string()),
  language: z.enum(LANGUAGES),
  /**
   * Whether the widget offers "Talk to a person" (docs/people.md). This server always sends it;
   * optional in the type because a config from a server before handoff (a rolling deploy, the
   * dashboard's preview) lacks it, and absent means off.
   */
  handoff: z.object({ enabled: z.boolean() }).optional(),
  /** which media buttons the widget shows (docs/media.md); optional like handoff, absent means all off */
  media: PublicMedia.optional(),
});
export type PublicConfig = z.infer<typeof PublicConfig>;

export const SessionResponse = z.object({
  token: z.string(),
  visitorId: z.string(),
});
