import { describe, expect, it } from 'vitest';
import type { PartialDate } from './dates';
import { summarizeDeploymentEvidence, type DeploymentEvidence } from './statuses';

const day = (on: string): PartialDate => ({ on, precision: 'day' });
const month = (on: string): PartialDate => ({ on: `${on}-01`, precision: 'month' });
const year = (y: string): PartialDate => ({ on: `${y}-01-01`, precision: 'year' });

function evidence(partial: Partial<DeploymentEvidence> & Pick<DeploymentEvidence, 'kind'>): DeploymentEvidence {
  return { status: 'active', standing: 'reported', date: null, asOf: '2020-10-07', ...partial };
}

describe('summarizeDeploymentEvidence', () => {
  it("keeps a start apart from a document's date: a documented deployment has no start", () => {
    const s = summarizeDeploymentEvidence([
      evidence({ kind: 'documented', date: day('2020-02-13') }),
      evidence({ kind: 'listed', date: day('2020-10-07') }),
    ]);
    expect(s.started).toBeNull();
    expect(s.firstDocumented).toEqual(day('2020-02-13'));
    expect(s.lastSeen).toEqual(day('2020-10-07'));
    expect(s.status).toBe('active');
  });

  it("does not let a weaker, earlier date replace the vendor's own start date", () => {
    const s = summarizeDeploymentEvidence([
      evidence({ kind: 'transition', standing: 'vendor', date: day('2019-07-26') }),
      evidence({ kind: 'transition', standing: 'reported', date: day('2019-07-25') }),
    ]);
    expect(s.started).toEqual(day('2019-07-26'));
  });

  it('takes the earliest of several starts of the same standing', () => {
    const s = summarizeDeploymentEvidence([
      evidence({ kind: 'transition', standing: 'reported', date: day('2019-05-01') }),
      evidence({ kind: 'transition', standing: 'reported', date: day('2018-03-22') }),
    ]);
    expect(s.started).toEqual(day('2018-03-22'));
  });

  it("ends a deployment on the date of its cancellation, at that date's precision", () => {
    const s = summarizeDeploymentEvidence([
      evidence({ kind: 'listed', date: day('2020-10-07') }),
      evidence({ kind: 'transition', status: 'cancelled', date: month('2026-08'), asOf: '2026-08-22' }),
      evidence({ kind: 'listed', status: 'cancelled', date: day('2026-08-22'), asOf: '2026-08-22' }),
    ]);
    expect(s.status).toBe('cancelled');
    expect(s.ended).toEqual(month('2026-08'));
    expect(s.lastSeen).toEqual(day('2026-08-22'));
    // Known in use from the listing to the month before the month it ended in.
    expect(s.activeFrom).toBe('2020-10-07');
    expect(s.activeUntil).toBe('2026-07-31');
  });

  it('counts a year-only date as known only by the end of that year', () => {
    const s = summarizeDeploymentEvidence([evidence({ kind: 'documented', date: year('2018') })]);
    expect(s.firstDocumented).toEqual(year('2018'));
    expect(s.activeFrom).toBe('2018-12-31');
  });

  it('never counts evidence as seen after the as-of date of the dataset that holds it', () => {
    const s = summarizeDeploymentEvidence([
      evidence({ kind: 'documented', date: day('2021-01-05'), asOf: '2020-10-07' }),
    ]);
    expect(s.lastSeen).toEqual(day('2020-10-07'));
  });

  it('takes the status since the last change: a deployment cancelled, reinstated and cancelled again ended on the last cancellation', () => {
    const s = summarizeDeploymentEvidence([
      evidence({ kind: 'transition', status: 'cancelled', date: day('2019-01-01') }),
      evidence({ kind: 'transition', status: 'active', date: day('2020-01-01') }),
      evidence({ kind: 'transition', status: 'cancelled', date: day('2025-06-01') }),
    ]);
    expect(s.ended).toEqual(day('2025-06-01'));
  });

  it('counts undated evidence as older than dated, is unknown without evidence, and ignores order', () => {
    expect(
      summarizeDeploymentEvidence([
        evidence({ kind: 'transition', status: 'cancelled' }),
        evidence({ kind: 'listed', date: day('2020-01-01') }),
      ]).status,
    ).toBe('active');
    expect(summarizeDeploymentEvidence([]).status).toBe('unknown');
    const items = [
      evidence({ kind: 'transition', date: day('2020-01-01') }),
      evidence({ kind: 'transition', status: 'rejected', date: day('2020-01-01') }),
      evidence({ kind: 'documented', status: 'proposed' }),
    ];
    expect(summarizeDeploymentEvidence(items)).toEqual(summarizeDeploymentEvidence([...items].reverse()));
  });
});
