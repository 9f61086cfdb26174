import { describe, expect, it } from "vitest";
import { addDays, isBusinessDay, nthBusinessDayAfter, tokyoWallClock } from "../src/domain/business-calendar.ts";
import { earliestSlotDate, judgeOfficeHoursRequest, officeHoursMonth, type OfficeHoursInput } from "../src/domain/office-hours.ts";
import { scopeOf, supportCategories, supportPlans, type SupportCategory, type SupportScope } from "../src/domain/support-scope.ts";

// P2 as the spec words it, category by category.
const expected: Record<SupportCategory, [SupportScope, SupportScope, SupportScope]> = {
  CONNECTIVITY: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  PLATFORM_USAGE: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  PURCHASED_DEVICE: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  DOCUMENTATION: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  BILLING_AND_CONTRACT: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  CUSTOMER_DEVICE: ["OUT_OF_SCOPE", "BEST_EFFORT", "BEST_EFFORT"],
  CUSTOMER_SYSTEM: ["OUT_OF_SCOPE", "BEST_EFFORT", "BEST_EFFORT"],
  COMMUNICATION_CONTENT: ["BEST_EFFORT", "BEST_EFFORT", "BEST_EFFORT"],
  THIRD_PARTY_PRODUCT: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  CUSTOM_IMPLEMENTATION: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  CARRIER_COMBINATION: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  FAILURE_INVESTIGATION: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  UNDOCUMENTED_SPECIFICATION: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  LEGAL_OPINION: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  BASE_STATION: ["OUT_OF_SCOPE", "OUT_OF_SCOPE", "OUT_OF_SCOPE"],
  SIM_TRANSFER_APPLICATION: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  ACCOUNT_RECOVERY: ["IN_SCOPE", "IN_SCOPE", "IN_SCOPE"],
  OFFICE_HOURS: ["OUT_OF_SCOPE", "IN_SCOPE", "IN_SCOPE"],
};

describe("P2 scope", () => {
  it.each(supportCategories.flatMap((c) => supportPlans.map((p, i) => [c, p, i] as const)))("P2: %s on %s", (category, plan, i) => {
    expect(scopeOf(category, plan)).toBe(expected[category][i]);
  });
});

describe("P3 business days (Asia/Tokyo, Japanese holidays)", () => {
  it.each([
    ["2027-04-29", false, "Showa Day (Golden Week)"],
    ["2027-04-30", true, "Friday between holidays"],
    ["2027-05-03", false, "Constitution Day"],
    ["2027-05-04", false, "Greenery Day"],
    ["2027-05-05", false, "Children's Day"],
    ["2027-05-06", true, "Thursday after Golden Week"],
    ["2026-05-06", false, "substitute holiday for Constitution Day on a Sunday"],
    ["2027-01-01", false, "New Year's Day"],
    ["2027-01-04", true, "first Monday of the year"],
    ["2027-01-11", false, "Coming of Age Day"],
    ["2026-11-21", false, "a Saturday"],
    ["2026-11-22", false, "a Sunday"],
    ["2026-11-23", false, "Labour Thanksgiving Day"],
    ["2026-11-24", true, "a Tuesday"],
  ])("%s is a business day: %s (%s)", (date, business) => {
    expect(isBusinessDay(date)).toBe(business);
  });

  it("counts business days over Golden Week and New Year", () => {
    expect(nthBusinessDayAfter("2027-04-28", 5)).toBe("2027-05-11"); // 4/30, 5/6, 5/7, 5/10, 5/11: skips 4/29 and 5/3–5/5
    expect(nthBusinessDayAfter("2027-04-28", 1)).toBe("2027-04-30");
    expect(nthBusinessDayAfter("2026-12-28", 5)).toBe("2027-01-05"); // 12/29–12/31, 1/4, 1/5: 1/1 is a holiday, 1/2–1/3 a weekend
    expect(nthBusinessDayAfter("2026-05-01", 1)).toBe("2026-05-07"); // 5/2–5/6: weekend, holidays, substitute holiday
  });

  it("reads instants on the Tokyo wall clock", () => {
    expect(tokyoWallClock(new Date("2026-11-21T15:30:00Z"))).toEqual({ date: "2026-11-22", minutes: 30 });
    expect(officeHoursMonth(new Date("2026-11-30T15:00:00Z"))).toBe("2026-12");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });
});

describe("P3 office-hours requests", () => {
  // Requested on Wednesday 2026-11-25 at 10:00 Tokyo; the 5th business day after is Wed 2026-12-02.
  const now = new Date("2026-11-25T01:00:00Z");
  const at = (tokyo: string) => new Date(`${tokyo}+09:00`);
  const base: OfficeHoursInput = { plan: "PRIORITY", slots: [{ startsAt: at("2026-12-02T10:00:00"), durationMinutes: 30 }], meetingTool: "GOOGLE_MEET", meetingUrl: null };
  const codes = (input: Partial<OfficeHoursInput>) => judgeOfficeHoursRequest({ ...base, ...input }, now).map((e) => e.code);

  it("P3: a well-formed request passes", () => {
    expect(earliestSlotDate(now)).toBe("2026-12-02");
    expect(codes({})).toEqual([]);
    expect(codes({ plan: "ENTERPRISE", slots: [{ startsAt: at("2026-12-03T17:15:00"), durationMinutes: 45 }, { startsAt: at("2026-12-04T10:00:00"), durationMinutes: 30 }] })).toEqual([]);
  });
  it("P3: BASIC plans cannot request", () => {
    expect(codes({ plan: "BASIC" })).toEqual(["SUPPORT_PLAN_INSUFFICIENT"]);
  });
  it.each([
    ["in the past", "2026-11-20T11:00:00", 30, "OFFICE_HOURS_SLOT_TOO_SOON"],
    ["the 4th business day", "2026-12-01T11:00:00", 30, "OFFICE_HOURS_SLOT_TOO_SOON"],
    ["a Sunday", "2026-12-06T11:00:00", 30, "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
    ["09:30", "2026-12-03T09:30:00", 30, "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
    ["17:45 for 30 minutes", "2026-12-03T17:45:00", 30, "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
    ["20 minutes long", "2026-12-03T11:00:00", 20, "OFFICE_HOURS_DURATION_INVALID"],
    ["60 minutes long", "2026-12-03T11:00:00", 60, "OFFICE_HOURS_DURATION_INVALID"],
    ["a national holiday", "2027-01-11T11:00:00", 30, "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
  ])("P3: a slot %s is refused", (_name, tokyo, minutes, code) => {
    expect(codes({ slots: [{ startsAt: at(tokyo), durationMinutes: minutes }] })).toEqual([code]);
  });
  it("P3: 1 to 3 slots", () => {
    expect(codes({ slots: [] })).toEqual(["OFFICE_HOURS_SLOT_COUNT_INVALID"]);
    const four = Array.from({ length: 4 }, (_, i) => ({ startsAt: at(`2026-12-0${3 + (i % 2)}T1${i}:00:00`), durationMinutes: 30 }));
    expect(codes({ slots: four })).toEqual(["OFFICE_HOURS_SLOT_COUNT_INVALID"]);
  });
  it("P3: CUSTOMER_URL needs an https URL; no phone, no plain http", () => {
    expect(codes({ meetingTool: "CUSTOMER_URL" })).toEqual(["MEETING_URL_REQUIRED"]);
    for (const url of ["tel:+81312345678", "http://meet.example.com/x", "not a url", "https://localhost/x"]) {
      expect(codes({ meetingTool: "CUSTOMER_URL", meetingUrl: url })).toEqual(["MEETING_URL_INVALID"]);
    }
    expect(codes({ meetingTool: "CUSTOMER_URL", meetingUrl: "https://zoom.example.com/j/123" })).toEqual([]);
    expect(codes({ meetingUrl: "https://zoom.example.com/j/123" })).toEqual(["INVALID_INPUT"]);
  });
});
