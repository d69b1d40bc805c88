/** @jsxImportSource preact */
import type { ResetField, Site } from "../api/types.js";
import { Link } from "../components/link.js";
import { useStrings } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import { BOT_FIELDS, type BotField } from "../validation/bot-form.js";
import { LIMIT_KEYS, type LimitKey } from "../validation/limits-form.js";
import { MEDIA_FIELDS, type MediaField } from "../validation/media-form.js";

/** The site has its own DashScope key, but the server can no longer decrypt it (its APP_SECRET changed). */
export const keyUnusable = (site: Pick<Site, "apiKey">): boolean => site.apiKey.set && !site.apiKey.usable;

/** A reset field's name as the form that edits it shows it (`bot.model` → "Model"); the path itself for one the dashboard does not know. */
export function resetFieldLabel(s: Strings, path: string): string {
  const [head, key, index] = path.split(".");
  // A whole part the server could not read at all: the form's name for it.
  if (path === "bot") return s.tabs.settings;
  if (path === "limits") return s.settings.limits;
  if (head === "bot" && (BOT_FIELDS as readonly string[]).includes(key)) {
    if (key === "suggestedQuestions" && index !== undefined && /^\d+$/.test(index)) return s.settings.question(Number(index) + 1);
    return s.settings[key as BotField];
  }
  if (head === "limits" && (LIMIT_KEYS as readonly string[]).includes(key)) return s.settings.limitLabels[key as LimitKey];
  if (path === "media") return s.media.title;
  if (head === "media" && (MEDIA_FIELDS as readonly string[]).includes(key)) return `${s.media.title}: ${s.media[key as MediaField]}`;
  if (head === "name") return s.sites.name;
  if (head === "allowedOrigins") return s.install.originsTitle;
  return path;
}

/** Which stored settings were reset, and why; their defaults are in use until the owner saves. */
export function ResetNotice({ fields }: { fields: ResetField[] }) {
  const s = useStrings();
  if (!fields.length) return null;
  return (
    <div class="notice notice--warn notice--block" role="status">
      <p>
        <strong>{s.settings.resetTitle}</strong>
      </p>
      <ul class="notice__list">
        {/* One origin per entry: the same field may come more than once. */}
        {fields.map((f, i) => (
          <li key={`${i}:${f.field}`}>{s.settings.resetItem(resetFieldLabel(s, f.field), f.message)}</li>
        ))}
      </ul>
      <p>{s.settings.resetBody}</p>
    </div>
  );
}

/** The site's key cannot be read any more: visitors get errors until the owner enters it again (on the key page, below). */
export function KeyUnusableNotice({ siteId, onKeyPage = false }: { siteId: string; onKeyPage?: boolean }) {
  const s = useStrings();
  return (
    <p class="notice notice--warn" role="alert">
      {s.apiKey.unusable} {onKeyPage ? s.apiKey.enterBelow : <Link to={`/sites/${siteId}/key`}>{s.apiKey.enterAgain}</Link>}
    </p>
  );
}
