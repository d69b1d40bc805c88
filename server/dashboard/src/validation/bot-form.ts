import { QWEN_MODELS } from "../../../src/llm/models.js";
import type { BotSettings, Lang, Model, PublicConfig } from "../api/types.js";
import { type FieldError, checkHttpUrl, checkText, isColor } from "./rules.js";

/** BotSettings' bounds (sites.schemas.ts), for the form's own checks and its counters. */
export const BOT_LIMITS = {
  displayName: 60,
  avatarUrl: 500,
  welcomeMessage: 500,
  suggestedQuestions: 6,
  question: 120,
  systemPrompt: 8000,
  maxOutputTokens: 8192,
  contactText: 500,
} as const;

export const MODELS: readonly Model[] = QWEN_MODELS;
export const BOT_LANGUAGES: readonly Lang[] = ["zh-CN", "en"];

/** The form's values as typed: numbers stay text until they are valid, an empty avatar means none. */
export interface BotDraft {
  displayName: string;
  avatarUrl: string;
  primaryColor: string;
  welcomeMessage: string;
  suggestedQuestions: string[];
  systemPrompt: string;
  model: string;
  temperature: string;
  maxOutputTokens: string;
  language: Lang;
  knowledge: BotSettings["knowledge"];
  contactText: string;
  /** empty: answers come from Qwen */
  bailianAppId: string;
  bailianWorkspaceId: string;
}

export type BotField = keyof BotDraft;
/** Errors by field; a suggested question's error is under `suggestedQuestions.<index>`. */
export type BotErrors = Partial<Record<BotField | `suggestedQuestions.${number}`, FieldError>>;

export function draftOf(bot: BotSettings): BotDraft {
  return {
    ...bot,
    avatarUrl: bot.avatarUrl ?? "",
    suggestedQuestions: [...bot.suggestedQuestions],
    temperature: String(bot.temperature),
    maxOutputTokens: String(bot.maxOutputTokens),
    bailianAppId: bot.bailianAppId ?? "",
    bailianWorkspaceId: bot.bailianWorkspaceId ?? "",
  };
}

function checkTemperature(value: string): FieldError | null {
  if (!value.trim()) return { code: "required" };
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n < 2 ? null : { code: "temperature" };
}

function checkMaxTokens(value: string): FieldError | null {
  if (!value.trim()) return { code: "required" };
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= BOT_LIMITS.maxOutputTokens ? null : { code: "maxTokens" };
}

/** One field's error (questions: the list's own, e.g. too many). */
export function checkBotField(draft: BotDraft, field: BotField): FieldError | null {
  switch (field) {
    case "displayName":
      return checkText(draft.displayName, BOT_LIMITS.displayName, true);
    case "avatarUrl":
      return draft.avatarUrl.trim() ? checkHttpUrl(draft.avatarUrl, BOT_LIMITS.avatarUrl) : null;
    case "primaryColor":
      return isColor(draft.primaryColor) ? null : { code: "color" };
    case "welcomeMessage":
      return checkText(draft.welcomeMessage, BOT_LIMITS.welcomeMessage);
    case "suggestedQuestions":
      return draft.suggestedQuestions.length > BOT_LIMITS.suggestedQuestions
        ? { code: "tooMany", max: BOT_LIMITS.suggestedQuestions }
        : null;
    case "systemPrompt":
      return checkText(draft.systemPrompt, BOT_LIMITS.systemPrompt);
    case "model":
      return (MODELS as readonly string[]).includes(draft.model) ? null : { code: "model" };
    case "temperature":
      return checkTemperature(draft.temperature);
    case "maxOutputTokens":
      return checkMaxTokens(draft.maxOutputTokens);
    case "language":
      return BOT_LANGUAGES.includes(draft.language) ? null : { code: "required" };
    case "knowledge":
      return null;
    case "contactText":
      return checkText(draft.contactText, BOT_LIMITS.contactText);
    case "bailianAppId":
    case "bailianWorkspaceId":
      return !draft[field].trim() || /^[A-Za-z0-9_-]{1,64}$/.test(draft[field].trim()) ? null : { code: "appId" };
  }
}

export const BOT_FIELDS: readonly BotField[] = [
  "displayName",
  "avatarUrl",
  "primaryColor",
  "welcomeMessage",
  "suggestedQuestions",
  "systemPrompt",
  "model",
  "temperature",
  "maxOutputTokens",
  "language",
  "knowledge",
  "contactText",
  "bailianAppId",
  "bailianWorkspaceId",
];

export function validateBot(draft: BotDraft): BotErrors {
  const errors: BotErrors = {};
  for (const field of BOT_FIELDS) {
    const error = checkBotField(draft, field);
    if (error) errors[field] = error;
  }
  draft.suggestedQuestions.forEach((q, i) => {
    const error = checkText(q, BOT_LIMITS.question, true);
    if (error) errors[`suggestedQuestions.${i}`] = error;
  });
  return errors;
}

/** The settings to send, as the server will store them (trimmed); only for a draft without errors. */
export function botOf(draft: BotDraft): BotSettings {
  const avatar = draft.avatarUrl.trim();
  return {
    displayName: draft.displayName.trim(),
    avatarUrl: avatar ? avatar : null,
    primaryColor: draft.primaryColor.trim(),
    welcomeMessage: draft.welcomeMessage.trim(),
    suggestedQuestions: draft.suggestedQuestions.map((q) => q.trim()),
    systemPrompt: draft.systemPrompt.trim(),
    model: draft.model as Model,
    temperature: Number(draft.temperature),
    maxOutputTokens: Number(draft.maxOutputTokens),
    language: draft.language,
    knowledge: draft.knowledge,
    contactText: draft.contactText.trim(),
    bailianAppId: draft.bailianAppId.trim() || null,
    bailianWorkspaceId: draft.bailianWorkspaceId.trim() || null,
  };
}

/** Whether the form differs from the saved settings (as typed, so a trailing space counts until saved). */
export function isDirty(draft: BotDraft, saved: BotSettings): boolean {
  return JSON.stringify(draft) !== JSON.stringify(draftOf(saved));
}

/**
 * What the preview's widget is given as its public config: the draft's value of each field
 * when that field is valid, the saved value otherwise (a half-typed colour keeps the last good one).
 * Empty suggested questions are left out while being typed.
 */
export function previewConfigOf(siteKey: string, draft: BotDraft, saved: BotSettings): PublicConfig {
  const ok = (field: BotField) => !checkBotField(draft, field);
  const questions = draft.suggestedQuestions.map((q) => q.trim()).filter((q) => q && q.length <= BOT_LIMITS.question);
  return {
    siteKey,
    displayName: ok("displayName") ? draft.displayName.trim() : saved.displayName,
    avatarUrl: ok("avatarUrl") ? draft.avatarUrl.trim() || null : saved.avatarUrl,
    primaryColor: ok("primaryColor") ? draft.primaryColor.trim() : saved.primaryColor,
    welcomeMessage: ok("welcomeMessage") ? draft.welcomeMessage.trim() : saved.welcomeMessage,
    suggestedQuestions: questions.slice(0, BOT_LIMITS.suggestedQuestions),
    language: draft.language,
  };
}
