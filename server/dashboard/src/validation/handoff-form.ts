import type { HandoffSettings, OfficeHours, Site } from "../api/types.js";

/**
 * The handoff settings as the owner edits them (docs/people.md, Settings): the wait typed in
 * seconds or minutes, office hours as rows. Checked as the server's schema does.
 */

export const DEFAULT_HANDOFF: HandoffSettings = { enabled: false, timeZone: "Asia/Shanghai", officeHours: [], waitSeconds: 120 };
export const WAIT_BOUNDS = { min: 30, max: 3600 };
export const MAX_HOURS_ROWS = 14;

export type WaitUnit = "seconds" | "minutes";

export interface HandoffDraft {
  enabled: boolean;
  timeZone: string;
  officeHours: OfficeHours[];
  wait: string;
  waitUnit: WaitUnit;
}

/** What is wrong, by the key of the field concerned (`wait`, `timeZone`, `officeHours.<n>.days|from|to`). */
export type HandoffErrorCode = "wait" | "days" | "time" | "order" | "timeZone";

/** A site's handoff settings (the defaults should a site come without them). */
export const handoffOf = (site: Site): HandoffSettings => site.handoff ?? DEFAULT_HANDOFF;

export function handoffDraftOf(settings: HandoffSettings): HandoffDraft {
  const minutes = settings.waitSeconds % 60 === 0;
  return {
    enabled: settings.enabled,
    timeZone: settings.timeZone,
    officeHours: settings.officeHours.map((h) => ({ days: [...h.days], from: h.from, to: h.to })),
    wait: String(minutes ? settings.waitSeconds / 60 : settings.waitSeconds),
    waitUnit: minutes ? "minutes" : "seconds",
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** the end of a range may be 24:00 (until midnight), as the server allows */
const END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export function waitSecondsOf(draft: HandoffDraft): number {
  const n = Number(draft.wait.trim().replace(",", "."));
  return draft.waitUnit === "minutes" ? Math.round(n * 60 * 1000) / 1000 : n;
}

/** The time zones a browser knows (all of IANA's in current ones), with the default and `extra` surely among them. */
export function timeZones(extra: readonly string[] = []): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  let zones: string[] = [];
  try {
    zones = intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    // an older browser: the few below
  }
  return [...new Set([...zones, "Asia/Shanghai", "UTC", ...extra.filter(Boolean)])].sort();
}

/** The browser's own zone, shown as a hint. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return Boolean(zone);
  } catch {
    return false;
  }
}

export function validateHandoff(draft: HandoffDraft): Partial<Record<string, HandoffErrorCode>> {
  const errors: Partial<Record<string, HandoffErrorCode>> = {};
  const seconds = waitSecondsOf(draft);
  if (!draft.wait.trim() || !Number.isInteger(seconds) || seconds < WAIT_BOUNDS.min || seconds > WAIT_BOUNDS.max) errors.wait = "wait";
  if (!isTimeZone(draft.timeZone)) errors.timeZone = "timeZone";
  draft.officeHours.forEach((row, i) => {
    if (!row.days.length) errors[`officeHours.${i}.days`] = "days";
    const fromOk = TIME.test(row.from);
    const toOk = END.test(row.to);
    if (!fromOk) errors[`officeHours.${i}.from`] = "time";
    if (!toOk) errors[`officeHours.${i}.to`] = "time";
    if (fromOk && toOk && row.to <= row.from) errors[`officeHours.${i}.to`] = "order";
  });
  return errors;
}

/** The settings to send; only for a draft without errors. */
export const handoffSettingsOf = (draft: HandoffDraft): HandoffSettings => ({
  enabled: draft.enabled,
  timeZone: draft.timeZone,
  officeHours: draft.officeHours.map((h) => ({ days: [...h.days].sort((a, b) => a - b), from: h.from, to: h.to })),
  waitSeconds: waitSecondsOf(draft),
});

export const handoffDirty = (draft: HandoffDraft, saved: HandoffSettings): boolean => {
  const errors = validateHandoff(draft);
  if (Object.keys(errors).length) return JSON.stringify(draft) !== JSON.stringify(handoffDraftOf(saved));
  return JSON.stringify(handoffSettingsOf(draft)) !== JSON.stringify(saved);
};

/** The id of the control an error key belongs to (for focus). */
export const handoffControlId = (key: string): string => {
  const [, index, part] = key.split(".");
  if (key === "wait") return "handoff-wait";
  if (key === "timeZone") return "handoff-timeZone";
  return part === "days" ? `handoff-hours-${index}-day-0` : `handoff-hours-${index}-${part}`;
};
