import { z } from "zod";

/** A time of day, "HH:MM" (00:00 … 24:00; 24:00 closes at midnight). */
const TimeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, "Use a time like 09:00 (24-hour clock).");

/** An IANA time zone this runtime knows (Intl), e.g. Asia/Shanghai or Europe/Berlin. */
const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, "Use an IANA time zone such as Asia/Shanghai.");

export const OfficeHoursRange = z
  .object({
    /** 0 Sunday … 6 Saturday, in the site's time zone */
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    from: TimeOfDay,
    to: TimeOfDay,
  })
  .strict()
  .refine((r) => r.from < r.to, { message: "The range must end after it starts (on the same day).", path: ["to"] });
export type OfficeHoursRange = z.infer<typeof OfficeHoursRange>;

/** docs/people.md "Settings": whether visitors may ask for a person, and when someone is there. */
export const HandoffSettings = z.object({
  enabled: z.boolean(),
  timeZone: TimeZone,
  /** [] = always staffed */
  officeHours: z.array(OfficeHoursRange).max(14),
  /** how long the visitor waits for a person before being offered to leave an email */
  waitSeconds: z.number().int().min(30).max(3600),
});
export type HandoffSettings = z.infer<typeof HandoffSettings>;

export const DEFAULT_HANDOFF: HandoffSettings = {
  enabled: false,
  timeZone: "Asia/Shanghai",
  officeHours: [],
  waitSeconds: 120,
};
