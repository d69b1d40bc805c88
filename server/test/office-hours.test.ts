import { describe, expect, it } from "vitest";
import { wallClock, withinOfficeHours } from "../src/features/handoff/office-hours.js";

const WEEKDAYS_9_TO_6 = [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }];

describe("office hours on the site's wall clock", () => {
  it("no ranges: always staffed", () => {
    expect(withinOfficeHours(Date.UTC(2026, 11, 6, 3, 0), "Asia/Shanghai", [])).toBe(true);
  });

  it("Asia/Shanghai (UTC+8 all year): 09:00 local is 01:00 UTC; from is included, to is not", () => {
    // Wednesday 2 December 2026
    expect(wallClock(Date.UTC(2026, 11, 2, 1, 0), "Asia/Shanghai")).toEqual({ day: 3, time: "09:00" });
    expect(withinOfficeHours(Date.UTC(2026, 11, 2, 0, 59), "Asia/Shanghai", WEEKDAYS_9_TO_6)).toBe(false);
    expect(withinOfficeHours(Date.UTC(2026, 11, 2, 1, 0), "Asia/Shanghai", WEEKDAYS_9_TO_6)).toBe(true);
    expect(withinOfficeHours(Date.UTC(2026, 11, 2, 9, 59), "Asia/Shanghai", WEEKDAYS_9_TO_6)).toBe(true);
    expect(withinOfficeHours(Date.UTC(2026, 11, 2, 10, 0), "Asia/Shanghai", WEEKDAYS_9_TO_6)).toBe(false);
    // The same in July: no summer time there.
    expect(withinOfficeHours(Date.UTC(2026, 6, 1, 1, 0), "Asia/Shanghai", WEEKDAYS_9_TO_6)).toBe(true);
  });

  it("the weekday is the site's, not UTC's: Friday 23:30 UTC is Saturday morning in Shanghai", () => {
    const at = Date.UTC(2026, 11, 4, 23, 30);
    expect(new Date(at).getUTCDay()).toBe(5);
    expect(wallClock(at, "Asia/Shanghai")).toEqual({ day: 6, time: "07:30" });
    expect(withinOfficeHours(at, "Asia/Shanghai", [{ days: [5], from: "00:00", to: "24:00" }])).toBe(false);
    expect(withinOfficeHours(at, "Asia/Shanghai", [{ days: [6], from: "07:00", to: "12:00" }])).toBe(true);
  });

  it("Europe/Berlin follows summer time: 07:30 UTC is 09:30 in July (CEST) but 08:30 in January (CET)", () => {
    const july = Date.UTC(2026, 6, 1, 7, 30); // a Wednesday
    const january = Date.UTC(2026, 0, 7, 7, 30); // a Wednesday
    expect(wallClock(july, "Europe/Berlin")).toEqual({ day: 3, time: "09:30" });
    expect(wallClock(january, "Europe/Berlin")).toEqual({ day: 3, time: "08:30" });
    expect(withinOfficeHours(july, "Europe/Berlin", WEEKDAYS_9_TO_6)).toBe(true);
    expect(withinOfficeHours(january, "Europe/Berlin", WEEKDAYS_9_TO_6)).toBe(false);
  });

  it("Europe/Berlin on the night the clocks go forward (29 March 2026): 01:00 UTC is 03:00 local", () => {
    expect(wallClock(Date.UTC(2026, 2, 29, 0, 59), "Europe/Berlin")).toEqual({ day: 0, time: "01:59" });
    expect(wallClock(Date.UTC(2026, 2, 29, 1, 0), "Europe/Berlin")).toEqual({ day: 0, time: "03:00" });
  });

  it("several ranges: a lunch break and a Saturday morning", () => {
    const ranges = [
      { days: [1, 2, 3, 4, 5], from: "09:00", to: "12:00" },
      { days: [1, 2, 3, 4, 5], from: "13:30", to: "18:00" },
      { days: [6], from: "10:00", to: "12:00" },
    ];
    const shanghai = (d: number, h: number, m: number) => Date.UTC(2026, 11, d, h - 8, m);
    expect(withinOfficeHours(shanghai(2, 12, 30), "Asia/Shanghai", ranges)).toBe(false);
    expect(withinOfficeHours(shanghai(2, 13, 30), "Asia/Shanghai", ranges)).toBe(true);
    expect(withinOfficeHours(shanghai(5, 11, 0), "Asia/Shanghai", ranges)).toBe(true);
    expect(withinOfficeHours(shanghai(6, 11, 0), "Asia/Shanghai", ranges)).toBe(false);
  });
});
