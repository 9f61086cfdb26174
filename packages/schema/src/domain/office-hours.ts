// P3: office hours — who may ask, how often, for which slots, and where the meeting happens.
import { CALENDAR_LAST_DATE, isBusinessDay, nthBusinessDayAfter, tokyoWallClock } from "./business-calendar.ts";
import type { SupportPlan } from "./support-scope.ts";
import { tokyoMonth } from "./tokyo-time.ts";
import { userError, type UserError } from "./user-error.ts";

export const MIN_SLOTS = 1;
export const MAX_SLOTS = 3;
export const MIN_MINUTES = 30;
export const MAX_MINUTES = 45;
export const OPENS_AT = 10 * 60; // 10:00 Asia/Tokyo
export const CLOSES_AT = 18 * 60; // 18:00 Asia/Tokyo
/** Slots start on or after this business day after the request date. */
export const LEAD_BUSINESS_DAYS = 5;

export interface SlotInput {
  startsAt: Date;
  durationMinutes: number;
}

export type MeetingTool = "GOOGLE_MEET" | "CUSTOMER_URL";

export interface OfficeHoursInput {
  plan: SupportPlan;
  slots: readonly SlotInput[];
  meetingTool: MeetingTool;
  meetingUrl: string | null | undefined;
}

/** The Asia/Tokyo month a request made now counts against (P3 decision). */
export function officeHoursMonth(now: Date): string {
  return tokyoMonth(now);
}

/** The first date a slot may fall on for a request made now. */
export function earliestSlotDate(now: Date): string {
  return nthBusinessDayAfter(tokyoWallClock(now).date, LEAD_BUSINESS_DAYS);
}

/** Every refusal of a request, apart from the monthly limit (which needs the database). */
export function judgeOfficeHoursRequest(input: OfficeHoursInput, now: Date): UserError[] {
  if (input.plan === "BASIC") {
    return [userError("SUPPORT_PLAN_INSUFFICIENT", "Office hours are for PRIORITY and ENTERPRISE plans (P3).", ["input"])];
  }
  const errors: UserError[] = [];
  if (input.slots.length < MIN_SLOTS || input.slots.length > MAX_SLOTS) {
    errors.push(userError("OFFICE_HOURS_SLOT_COUNT_INVALID", `Give ${MIN_SLOTS} to ${MAX_SLOTS} candidate slots (two recommended).`, ["input", "candidateSlots"]));
  }
  const earliest = earliestSlotDate(now);
  input.slots.forEach((slot, i) => {
    const path = ["input", "candidateSlots", String(i)];
    if (!Number.isInteger(slot.durationMinutes) || slot.durationMinutes < MIN_MINUTES || slot.durationMinutes > MAX_MINUTES) {
      errors.push(userError("OFFICE_HOURS_DURATION_INVALID", `A slot lasts ${MIN_MINUTES} to ${MAX_MINUTES} minutes.`, [...path, "durationMinutes"]));
      return;
    }
    const start = tokyoWallClock(slot.startsAt);
    const end = start.minutes + slot.durationMinutes;
    if (slot.startsAt <= now || start.date < earliest) {
      errors.push(userError("OFFICE_HOURS_SLOT_TOO_SOON", `Slots start on or after ${earliest} (the ${LEAD_BUSINESS_DAYS}th business day after the request).`, [...path, "startsAt"]));
    } else if (start.date > CALENDAR_LAST_DATE) {
      errors.push(userError("OFFICE_HOURS_SLOT_OUTSIDE_HOURS", `Slots fall on or before ${CALENDAR_LAST_DATE}, the last day of the business calendar.`, [...path, "startsAt"]));
    } else if (!isBusinessDay(start.date) || start.minutes < OPENS_AT || end > CLOSES_AT) {
      errors.push(userError("OFFICE_HOURS_SLOT_OUTSIDE_HOURS", "Slots fall on a business day within 10:00–18:00 Asia/Tokyo.", [...path, "startsAt"]));
    }
  });
  if (input.meetingTool === "CUSTOMER_URL") {
    if (!input.meetingUrl) errors.push(userError("MEETING_URL_REQUIRED", "Give the https URL of your meeting (guests admitted).", ["input", "meetingUrl"]));
    else if (!isHttpsUrl(input.meetingUrl)) errors.push(userError("MEETING_URL_INVALID", "The meeting URL must be https (no phone numbers).", ["input", "meetingUrl"]));
  } else if (input.meetingUrl) {
    errors.push(userError("INVALID_INPUT", "Staff send the Google Meet URL; give a URL only with CUSTOMER_URL.", ["input", "meetingUrl"]));
  }
  return errors;
}

function isHttpsUrl(text: string): boolean {
  if (text.length > 2000) return false;
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname.includes(".") && !url.username && !url.password;
  } catch {
    return false;
  }
}
