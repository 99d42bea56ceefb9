/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Now as an ISO-8601 UTC string; every timestamp we write has this form. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** English month names in lower case, January first. */
export const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/** The month names as written in text: "May". */
export const MONTH_TITLES: readonly string[] = MONTHS.map((m) => m.charAt(0).toUpperCase() + m.slice(1));

/**
 * Clock time of an ISO instant in UTC, 12-hour: "1:56 pm".
 *
 * @example
 * formatClock("2023-05-08T13:56:00.000Z"); // "1:56 pm"
 */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  const h = d.getUTCHours();
  return `${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, "0")} ${h < 12 ? "am" : "pm"}`;
}

/**
 * Human-readable absolute time in UTC, independent of the machine's locale and zone:
 * "Monday 8 May 2023, 1:56 pm UTC", or "Monday 8 May 2023" when only the date is known.
 * The weekday is kept because questions often say "last Friday".
 *
 * @example
 * formatStamp("2023-05-08T13:56:00.000Z"); // "Monday 8 May 2023, 1:56 pm UTC"
 */
export function formatStamp(iso: string, dateOnly = false): string {
  const d = new Date(iso);
  const date = `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTH_TITLES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return dateOnly ? date : `${date}, ${formatClock(iso)} UTC`;
}

/**
 * Parse the timestamps found in chat data into an ISO string, or null when unparseable.
 * Beyond ISO it reads LoCoMo/MemOS's "1:56 pm on 8 May, 2023" and "08:51 PM on 13 January, 2026".
 * Times without a zone are taken as UTC, so results do not depend on the machine.
 */
export function parseChatTime(input: string | undefined | null): string | null {
  if (!input) return null;
  const s = input.trim();
  const m = /^(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([a-z]+),?\s+(\d{4})$/i.exec(s);
  if (m) {
    const [, hh, mm, ampm, day, monthName, year] = m;
    const month = MONTHS.indexOf((monthName as string).toLowerCase());
    if (month < 0) return null;
    let hour = Number(hh) % 12;
    if ((ampm as string).toLowerCase() === "pm") hour += 12;
    return new Date(Date.UTC(Number(year), month, Number(day), hour, Number(mm))).toISOString();
  }
  const hasZone = /(z|[+-]\d{2}:?\d{2})$/i.test(s);
  const isoLike = /^\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/i.test(s);
  if (isoLike) {
    const d = new Date(hasZone || s.length === 10 ? s : `${s.replace(" ", "T")}Z`);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  // Free-form dates ("May 8, 2023 1:56 PM"): only with a year, and read as UTC unless zoned.
  if (!/\d{4}/.test(s)) return null;
  const utc = hasZone ? new Date(s) : new Date(`${s} UTC`);
  const d = Number.isNaN(utc.getTime()) ? new Date(s) : utc;
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
