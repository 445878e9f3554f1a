import { describe, expect, it } from 'vitest';
import { parseIsoDateOrMonth, parseLooseDate } from './dates';

describe('parseLooseDate', () => {
  it('reads the Atlas m/d/yy and m/d/yyyy dates and ISO dates', () => {
    expect(parseLooseDate('3/22/18')).toBe('2018-03-22');
    expect(parseLooseDate('12/27/2012')).toBe('2012-12-27');
    expect(parseLooseDate(' 5/12/2019 ')).toBe('2019-05-12');
    expect(parseLooseDate('2020-06-11')).toBe('2020-06-11');
  });

  it('returns null for year-only, free text and impossible dates', () => {
    expect(parseLooseDate('2019')).toBeNull();
    expect(parseLooseDate('2017/2018')).toBeNull();
    expect(parseLooseDate('2/30/19')).toBeNull();
    expect(parseLooseDate('13/1/19')).toBeNull();
    expect(parseLooseDate('')).toBeNull();
  });
});

describe('parseIsoDateOrMonth', () => {
  it('takes a month as its first day', () => {
    expect(parseIsoDateOrMonth('2021-08')).toBe('2021-08-01');
    expect(parseIsoDateOrMonth('2019-12-17')).toBe('2019-12-17');
    expect(parseIsoDateOrMonth('2019-13')).toBeNull();
    expect(parseIsoDateOrMonth('December 2019')).toBeNull();
  });
});
