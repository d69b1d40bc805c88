import { z } from "zod";

const Day = z.iso.date();

export const UsageQuery = z.object({
  /** first day, inclusive (YYYY-MM-DD, in the owner's time zone); default: 29 days before `to` */
  from: Day.optional(),
  /** last day, inclusive; default: today */
  to: Day.optional(),
  /** the owner's offset from UTC in minutes (Beijing: 480), so days end at the owner's midnight */
  tz: z.coerce.number().int().min(-840).max(840).default(0),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

const Numbers = {
  conversations: z.number(),
  /** visitor questions and stored answers */
  messages: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  /** upstream calls that did not end well (error, partial, refused) */
  errors: z.number(),
  ttftP50Ms: z.number().nullable(),
  ttftP95Ms: z.number().nullable(),
  /** the bot's answers given */
  answers: z.number(),
  /** of those, rated 👍 / 👎 by their visitors */
  ratedUp: z.number(),
  ratedDown: z.number(),
  /** (ratedUp + ratedDown) / answers, 0–1; null without answers */
  ratedShare: z.number().nullable(),
};

export const UsageDay = z.object({ date: z.string(), ...Numbers });

export const UsageResponse = z.object({
  from: z.string(),
  to: z.string(),
  tz: z.number(),
  days: z.array(UsageDay),
  totals: z.object(Numbers),
  /** this calendar month (UTC) against the site's monthly quotas */
  quota: z.object({
    month: z.string(),
    messages: z.number(),
    monthlyMessages: z.number(),
    tokens: z.number(),
    monthlyTokens: z.number(),
    exceeded: z.boolean(),
  }),
});
export type UsageResponse = z.infer<typeof UsageResponse>;
