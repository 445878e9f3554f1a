/**
 * Dates as the sources give them: to the day, the month or only the year. A date keeps its precision
 * everywhere (stored, compared, shown), so "2019" is never shown as "Jan 1, 2019".
 */
export const DATE_PRECISIONS = ['day', 'month', 'year'] as const;
export type DatePrecision = (typeof DATE_PRECISIONS)[number];

/** A date known to a precision. `on` is the first day of the period (YYYY-MM-DD), so dates sort and compare as text. */
export interface PartialDate {
  readonly on: string;
  readonly precision: DatePrecision;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Parses the date spellings found in the datasets: ISO (`2019-07-26`, `2019-07`, `2019`), m/d/yy and
 * m/d/yyyy (the Atlas's; two-digit years are 20yy), m-d-yyyy, mm/yyyy, "January 1, 2019", "26 Mar 2014",
 * and spreadsheet day numbers (a date cell saved as a number, 43146 = 2018-02-15). Returns null for
 * anything else (ranges such as "2017-2019", a day without a year, impossible dates such as 2/30/19).
 */
export function parsePartialDate(text: string): PartialDate | null {
  const value = text
    .trim()
    .replace(/\s*\/\s*/g, '/')
    .replace(/\s+/g, ' ');
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) return day(+m[1]!, +m[2]!, +m[3]!);
  if ((m = /^(\d{4})-(\d{2})$/.exec(value))) return month(+m[1]!, +m[2]!);
  if ((m = /^(\d{4})$/.exec(value))) return year(+m[1]!);
  if ((m = /^(\d{1,2})[/-](\d{1,2})[/,-](\d{2}|\d{4})$/.exec(value))) return day(fullYear(m[3]!), +m[1]!, +m[2]!);
  if ((m = /^(\d{1,2})\/(\d{4})$/.exec(value))) return month(+m[2]!, +m[1]!);
  if ((m = /^([a-z]+)\.? (\d{1,2}),? (\d{4})$/i.exec(value))) return day(+m[3]!, monthNumber(m[1]!), +m[2]!);
  if ((m = /^(\d{1,2}) ([a-z]+)\.? (\d{4})$/i.exec(value))) return day(+m[3]!, monthNumber(m[2]!), +m[1]!);
  if ((m = /^([a-z]+)\.? (\d{4})$/i.exec(value))) return month(+m[2]!, monthNumber(m[1]!));
  // Spreadsheet serial days (1900 date system) for 1995–2036, the span of dates in these datasets.
  if ((m = /^(\d{5})$/.exec(value)) && +m[1]! >= 35000 && +m[1]! <= 50000) {
    const date = new Date(Date.UTC(1899, 11, 30) + +m[1]! * 86_400_000);
    return day(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }
  return null;
}

/** Parses a date written as YYYY-MM-DD, YYYY-MM or YYYY only (what our own files and the API take). */
export function parseIsoPartialDate(text: string): PartialDate | null {
  const value = text.trim();
  return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value) ? parsePartialDate(value) : null;
}

/** A full day YYYY-MM-DD, or null when the text is not one (or is impossible, such as 2019-02-30). */
export function parseIsoDay(text: string): string | null {
  const parsed = parseIsoPartialDate(text);
  return parsed?.precision === 'day' ? parsed.on : null;
}

/** The ISO 8601 form at its own precision: "2019", "2026-08", "2019-07-26". */
export function isoOf(date: PartialDate): string {
  return date.precision === 'year' ? date.on.slice(0, 4) : date.precision === 'month' ? date.on.slice(0, 7) : date.on;
}

/** Reads a stored date (first day of the period) with its stored precision; null when there is none. */
export function storedDate(on: string | null | undefined, precision: string | null | undefined): PartialDate | null {
  if (!on) return null;
  return {
    on,
    precision: (DATE_PRECISIONS as readonly string[]).includes(precision ?? '') ? (precision as DatePrecision) : 'day',
  };
}

/** The last day of the date's period: "2019" → 2019-12-31, "2026-08" → 2026-08-31. */
export function lastDayOf(date: PartialDate): string {
  const [y, mo] = date.on.split('-').map(Number) as [number, number, number];
  if (date.precision === 'day') return date.on;
  const end = date.precision === 'year' ? new Date(Date.UTC(y, 11, 31)) : new Date(Date.UTC(y, mo, 0));
  return end.toISOString().slice(0, 10);
}

const dayFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const monthFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', timeZone: 'UTC' });

/** In words, at its precision: "Jul 26, 2019", "Aug 2026", "2019". */
export function formatPartialDate(date: PartialDate): string {
  const at = new Date(`${date.on}T00:00:00Z`);
  if (date.precision === 'year') return date.on.slice(0, 4);
  return (date.precision === 'month' ? monthFormat : dayFormat).format(at);
}

/** Orders dates by their first day, then the more precise first (the day is within the month it starts). */
export function comparePartialDates(a: PartialDate, b: PartialDate): number {
  if (a.on !== b.on) return a.on < b.on ? -1 : 1;
  return DATE_PRECISIONS.indexOf(a.precision) - DATE_PRECISIONS.indexOf(b.precision);
}

/** Today's date in UTC as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function fullYear(text: string): number {
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

function monthNumber(name: string): number {
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  // "Sept" and full names share their first three letters with the abbreviations; anything else is no month.
  return index >= 0 && MONTHS_FULL[index]!.startsWith(name.toLowerCase().replace(/\.$/, '')) ? index + 1 : 0;
}

const MONTHS_FULL = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function day(y: number, mo: number, d: number): PartialDate | null {
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1000 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return { on: `${String(y).padStart(4, '0')}-${pad(mo)}-${pad(d)}`, precision: 'day' };
}

function month(y: number, mo: number): PartialDate | null {
  if (y < 1000 || mo < 1 || mo > 12) return null;
  return { on: `${y}-${pad(mo)}-01`, precision: 'month' };
}

function year(y: number): PartialDate | null {
  return y < 1000 ? null : { on: `${y}-01-01`, precision: 'year' };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
