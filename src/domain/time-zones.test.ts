import { describe, expect, it } from 'vitest';
import { isBusinessHours, timeZoneOfState } from './time-zones';

describe('business hours in an official’s time zone', () => {
  it('uses the state’s zone', () => {
    expect(timeZoneOfState('ma')).toBe('America/New_York');
    expect(timeZoneOfState('CA')).toBe('America/Los_Angeles');
  });
  it('is Monday to Friday, 9:00 to 17:00 local time', () => {
    // Tuesday 2026-12-01 14:00 UTC is 9:00 in Boston and 6:00 in Los Angeles.
    const tuesday = new Date('2026-12-01T14:00:00Z');
    expect(isBusinessHours(tuesday, 'America/New_York')).toBe(true);
    expect(isBusinessHours(tuesday, 'America/Los_Angeles')).toBe(false);
    expect(isBusinessHours(new Date('2026-12-01T22:00:00Z'), 'America/New_York')).toBe(false); // 17:00
    expect(isBusinessHours(new Date('2026-12-05T15:00:00Z'), 'America/New_York')).toBe(false); // Saturday
  });
});
