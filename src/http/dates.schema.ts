import { z } from 'zod';
import { DATE_PRECISIONS, isoOf, storedDate } from '#src/domain/dates';

/** A date in the API: ISO 8601 at its own precision ("2019", "2026-08", "2019-07-26"). */
export const partialDateSchema = z.string().describe('ISO 8601 date at its precision: YYYY, YYYY-MM or YYYY-MM-DD');
export const precisionSchema = z.enum(DATE_PRECISIONS).describe('day, month or year');

/** A stored date (first day of its period) and its precision as the API writes them. */
export function apiDate(on: string | null | undefined, precision: string | null | undefined): string | null {
  const date = storedDate(on, precision);
  return date ? isoOf(date) : null;
}

/** The precision of a stored date as the API writes it: null without a date. */
export function apiPrecision(
  on: string | null | undefined,
  precision: string | null | undefined,
): (typeof DATE_PRECISIONS)[number] | null {
  return storedDate(on, precision)?.precision ?? null;
}
