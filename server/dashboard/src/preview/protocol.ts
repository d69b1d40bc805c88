import type { Lang, PublicConfig } from "../api/types.js";

/**
 * The messages between the settings page and its preview iframe (preview.html), both on the
 * dashboard's origin; each side checks `event.origin` and `event.source` before trusting one.
 *
 *   iframe → page: ready     (the preview page listens; send the settings)
 *   page → iframe: config    (the unsaved settings, as the widget's public config; the page's
 *                             heading and language, the dashboard's, for the frame's own words)
 *   iframe → page: shown     (the widget has drawn itself: show this frame)
 */
export type PreviewMessage =
  | { type: "bailian-preview:ready" }
  | { type: "bailian-preview:config"; config: PublicConfig; heading?: string; lang?: Lang }
  | { type: "bailian-preview:shown" };

export function isPreviewMessage(data: unknown): data is PreviewMessage {
  if (typeof data !== "object" || data === null) return false;
  const type = (data as { type?: unknown }).type;
  if (type === "bailian-preview:config") {
    const { config, heading, lang } = data as { config?: unknown; heading?: unknown; lang?: unknown };
    return (
      isPublicConfig(config) &&
      (heading === undefined || typeof heading === "string") &&
      (lang === undefined || lang === "en" || lang === "zh-CN")
    );
  }
  return type === "bailian-preview:ready" || type === "bailian-preview:shown";
}

function isPublicConfig(value: unknown): value is PublicConfig {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.siteKey === "string" &&
    typeof c.displayName === "string" &&
    (c.avatarUrl === null || typeof c.avatarUrl === "string") &&
    typeof c.primaryColor === "string" &&
    typeof c.welcomeMessage === "string" &&
    Array.isArray(c.suggestedQuestions) &&
    c.suggestedQuestions.every((q) => typeof q === "string") &&
    (c.language === "en" || c.language === "zh-CN")
  );
}
