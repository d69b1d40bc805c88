import { AppError } from "../errors.js";
import type { SiteLimits } from "../features/sites/sites.schemas.js";
import type { Counters } from "./counters.js";

const DAY = 86_400_000;

/** Every token answered on the platform's DashScope key this month (the operator's page reads it). */
export const PLATFORM_TOKENS_KEY = "quota:platform:tokens";
export const siteTokensKey = (siteId: string) => `quota:tokens:${siteId}`;
export const siteMessagesKey = (siteId: string) => `quota:messages:${siteId}`;

/** The calendar month (UTC) a time falls in, as the counter's window. */
export function month(now: number): { start: number; next: number; label: string } {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start, next, label: new Date(start).toISOString().slice(0, 7) };
}

/**
 * Tokens held for one answer before the model is called: the worst case, on the site's month and,
 * on the platform's key, on the platform's month. Settled once, with what DashScope reported.
 */
export interface TokenReservation {
  /**
   * The answer used `used` tokens: the counters keep that instead of the worst case (they go down
   * by the difference). Answers the site's month so far (other answers' reservations included).
   */
  settle(used: number): Promise<number>;
  /** The model was not called, or failed before billing anything: nothing is kept. */
  release(): Promise<void>;
}

export interface AnswerHit {
  counters: Counters;
  limits: SiteLimits;
  siteId: string;
  now: number;
  /** the answer's worst case: the prompt's upper bound plus the bot's maxOutputTokens */
  tokens: number;
  /** the site has no DashScope key of its own: the answer is billed to the platform */
  onPlatform: boolean;
  /** the platform's monthly token budget; null: unlimited */
  platformBudget: number | null;
}

export interface Admission {
  reservation: TokenReservation;
  /** the site's messages this month, this one included */
  messages: number;
}

/** Why an answer was refused its month: the site's tokens, the platform's budget, or the site's messages. */
export class QuotaRefusal extends AppError {
  constructor(
    readonly quota: "tokens" | "platform" | "messages",
    now: number,
    /** the month's messages, this refused one included (for a "messages" refusal) */
    readonly used?: number,
  ) {
    super("quota_exceeded", "This assistant has used its monthly allowance.", {
      retryAfterSeconds: Math.ceil((month(now).next - now) / 1000),
    });
  }
}

/**
 * The month's quotas for one answer, exact across every instance, in one round trip: its worst
 * case is added to the site's token counter (and the platform's) and the message to the site's
 * messages, together (Counters.addAll). Past a token quota, all of it is taken back at once, so
 * parallel answers can never together spend more than the quota and the refused message does not
 * count; past the messages quota, the tokens are taken back and the refused message counts, as it
 * always has.
 */
export async function admitAnswer(hit: AnswerHit): Promise<Admission> {
  const { reservation, messages } = await reserve(hit, true);
  return { reservation, messages: messages! };
}

/**
 * Tokens held on the site's month (and the platform's) for work that is not a visitor's message:
 * a knowledge base's embeddings, a recording's transcription, a reading aloud. Refused past a
 * quota, with nothing left held.
 */
export async function admitTokens(hit: AnswerHit): Promise<TokenReservation> {
  return (await reserve(hit, false)).reservation;
}

/** admitAnswer's and admitTokens's one batch; `countMessage`: also one of the site's month's messages. */
async function reserve(
  { counters, limits, siteId, now, tokens, onPlatform, platformBudget }: AnswerHit,
  countMessage: boolean,
): Promise<{ reservation: TokenReservation; messages?: number }> {
  const m = month(now);
  const expiresAt = m.next + DAY;
  // Counted with or without a budget: the operator's page shows the platform's spend.
  const tokenKeys = onPlatform ? [siteTokensKey(siteId), PLATFORM_TOKENS_KEY] : [siteTokensKey(siteId)];
  const keys = countMessage ? [...tokenKeys, siteMessagesKey(siteId)] : tokenKeys;
  const totals = await counters.addAll(
    keys.map((key, i) => ({ key, windowStart: m.start, by: i < tokenKeys.length ? tokens : 1, expiresAt })),
  );
  const reservation = heldTokens(counters, tokenKeys, m.start, expiresAt, tokens);
  const messages = countMessage ? totals[tokenKeys.length] : undefined;
  let refusal: QuotaRefusal | null = null;
  if (totals[0] > limits.monthlyTokens) refusal = new QuotaRefusal("tokens", now);
  else if (onPlatform && platformBudget !== null && totals[1] > platformBudget) refusal = new QuotaRefusal("platform", now);
  else if (messages !== undefined && messages > limits.monthlyMessages) refusal = new QuotaRefusal("messages", now, messages);
  if (!refusal) return { reservation, messages };
  // If taking it back fails too (the database is down), the reservation stays until the month
  // ends: the site's month is overstated, never its spending allowed past the quota.
  await reservation.release().catch(() => {});
  if (countMessage && refusal.quota !== "messages") await counters.add(siteMessagesKey(siteId), m.start, -1, expiresAt).catch(() => {});
  throw refusal;
}

/** `tokens` held on each of `keys` (the site's first): settled or released once. */
function heldTokens(counters: Counters, keys: readonly string[], windowStart: number, expiresAt: number, tokens: number): TokenReservation {
  let open = true;
  const close = async (by: number) => {
    if (!open) return null;
    open = false;
    return (await counters.addAll(keys.map((key) => ({ key, windowStart, by, expiresAt }))))[0];
  };
  return {
    settle: async (used) => (await close(used - tokens)) ?? (await counters.get(keys[0], windowStart)),
    release: async () => void (await close(-tokens)),
  };
}
