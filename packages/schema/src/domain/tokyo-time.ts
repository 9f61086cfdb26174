// Calendar rules use the Asia/Tokyo time zone (domain.md, "Time").
const dateFormat = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo", year: "numeric", month: "2-digit", day: "2-digit" });

/** The Asia/Tokyo calendar date of an instant, YYYY-MM-DD. */
export function tokyoDate(at: Date): string {
  return dateFormat.format(at);
}

/** The Asia/Tokyo month of an instant, YYYY-MM. */
export function tokyoMonth(at: Date): string {
  return tokyoDate(at).slice(0, 7);
}
