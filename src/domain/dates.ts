/**
 * Parses the date spellings found in the datasets into YYYY-MM-DD: ISO dates, m/d/yy and m/d/yyyy.
 * Two-digit years are 20yy (the Atlas's dates run 2006–2020). Returns null for year-only or free text,
 * and for impossible dates such as 2/30/19.
 */
export function parseLooseDate(text: string): string | null {
  const value = text.trim();
  let year: number;
  let month: number;
  let day: number;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  } else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(value))) {
    month = Number(m[1]);
    day = Number(m[2]);
    year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  } else {
    return null;
  }
  return formatDate(year, month, day);
}

/** Accepts YYYY-MM-DD or YYYY-MM (taken as the first of the month); null otherwise. */
export function parseIsoDateOrMonth(text: string): string | null {
  const value = text.trim();
  const month = /^(\d{4})-(\d{2})$/.exec(value);
  if (month) return formatDate(Number(month[1]), Number(month[2]), 1);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseLooseDate(value) : null;
}

function formatDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Today's date in UTC as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
