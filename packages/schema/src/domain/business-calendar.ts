// P3: Asia/Tokyo business days — no weekends, no Japanese national holidays. Holidays come from
// a maintained calendar package (@holiday-jp/holiday_jp), not a hand-written list.
import holidayJp from "@holiday-jp/holiday_jp";

const holidays = new Set(Object.keys(holidayJp.holidays));
const LAST_KNOWN_YEAR = Math.max(...[...holidays].map((d) => Number(d.slice(0, 4))));

/** The last day the holiday calendar knows: business days after it cannot be told. */
export const CALENDAR_LAST_DATE = `${LAST_KNOWN_YEAR}-12-31`;

const partsFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** The Asia/Tokyo wall clock of an instant: date YYYY-MM-DD and minutes since midnight. */
export function tokyoWallClock(at: Date): { date: string; minutes: number } {
  const p = Object.fromEntries(partsFormat.formatToParts(at).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/** Calendar arithmetic on YYYY-MM-DD (no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isBusinessDay(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (Number(date.slice(0, 4)) > LAST_KNOWN_YEAR) throw new Error(`the holiday calendar ends in ${LAST_KNOWN_YEAR}; update @holiday-jp/holiday_jp`);
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/** The n-th business day after `date` (n ≥ 1; `date` itself never counts). */
export function nthBusinessDayAfter(date: string, n: number): string {
  let day = date;
  let counted = 0;
  while (counted < n) {
    day = addDays(day, 1);
    if (isBusinessDay(day)) counted += 1;
  }
  return day;
}
