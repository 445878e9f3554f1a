import { describe, expect, it } from 'vitest';
import { formatPartialDate, isoOf, lastDayOf, parseIsoDay, parseIsoPartialDate, parsePartialDate } from './dates';

describe('parsePartialDate', () => {
  it('reads the Atlas m/d/yy and m/d/yyyy dates and ISO dates to the day', () => {
    expect(parsePartialDate('3/22/18')).toEqual({ on: '2018-03-22', precision: 'day' });
    expect(parsePartialDate('12/27/2012')).toEqual({ on: '2012-12-27', precision: 'day' });
    expect(parsePartialDate(' 5/12/2019 ')).toEqual({ on: '2019-05-12', precision: 'day' });
    expect(parsePartialDate('02/18/ 2020')).toEqual({ on: '2020-02-18', precision: 'day' });
    expect(parsePartialDate('07-11-2019')).toEqual({ on: '2019-07-11', precision: 'day' });
    expect(parsePartialDate('2020-06-11')).toEqual({ on: '2020-06-11', precision: 'day' });
    expect(parsePartialDate('January 1, 2019')).toEqual({ on: '2019-01-01', precision: 'day' });
    expect(parsePartialDate('26 Mar 2014')).toEqual({ on: '2014-03-26', precision: 'day' });
  });

  it('keeps a year or a month as a year or a month, not as its first day', () => {
    expect(parsePartialDate('2019')).toEqual({ on: '2019-01-01', precision: 'year' });
    expect(parsePartialDate('2026-08')).toEqual({ on: '2026-08-01', precision: 'month' });
    expect(parsePartialDate('04/2019')).toEqual({ on: '2019-04-01', precision: 'month' });
    expect(parsePartialDate('Sept 2020')).toEqual({ on: '2020-09-01', precision: 'month' });
  });

  it('reads a spreadsheet day number as the day it stands for', () => {
    expect(parsePartialDate('43146')).toEqual({ on: '2018-02-15', precision: 'day' });
  });

  it('returns null for ranges, days without a year, free text and impossible dates', () => {
    for (const text of [
      '2017/2018',
      '2017-2019',
      '2016-17',
      '10/4',
      '19, 2018',
      '2/30/19',
      '13/1/19',
      'Smarch 2019',
      '',
      'soon',
    ]) {
      expect(parsePartialDate(text), text).toBeNull();
    }
  });
});

describe('ISO forms', () => {
  it('takes only YYYY, YYYY-MM and YYYY-MM-DD', () => {
    expect(parseIsoPartialDate('2021-08')).toEqual({ on: '2021-08-01', precision: 'month' });
    expect(parseIsoPartialDate('2021')).toEqual({ on: '2021-01-01', precision: 'year' });
    expect(parseIsoPartialDate('8/1/2021')).toBeNull();
    expect(parseIsoPartialDate('2019-13')).toBeNull();
    expect(parseIsoDay('2019-02-29')).toBeNull();
    expect(parseIsoDay('2020-02-29')).toBe('2020-02-29');
    expect(parseIsoDay('2020-02')).toBeNull();
  });

  it('writes a date at its own precision', () => {
    expect(isoOf({ on: '2019-01-01', precision: 'year' })).toBe('2019');
    expect(isoOf({ on: '2026-08-01', precision: 'month' })).toBe('2026-08');
    expect(isoOf({ on: '2019-07-26', precision: 'day' })).toBe('2019-07-26');
  });
});

describe('formatPartialDate', () => {
  it('shows a month as a month and a year as a year', () => {
    expect(formatPartialDate({ on: '2026-08-01', precision: 'month' })).toBe('Aug 2026');
    expect(formatPartialDate({ on: '2018-01-01', precision: 'year' })).toBe('2018');
    expect(formatPartialDate({ on: '2019-07-26', precision: 'day' })).toBe('Jul 26, 2019');
  });
});

describe('lastDayOf', () => {
  it('gives the end of the period', () => {
    expect(lastDayOf({ on: '2019-01-01', precision: 'year' })).toBe('2019-12-31');
    expect(lastDayOf({ on: '2024-02-01', precision: 'month' })).toBe('2024-02-29');
    expect(lastDayOf({ on: '2019-07-26', precision: 'day' })).toBe('2019-07-26');
  });
});
