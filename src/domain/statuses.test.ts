import { describe, expect, it } from 'vitest';
import { summarizeDeploymentEvents } from './statuses';

describe('summarizeDeploymentEvents', () => {
  it('takes the latest dated event as the status and the earliest start as the start', () => {
    expect(
      summarizeDeploymentEvents([
        { status: 'active', occurredOn: '2019-05-01' },
        { status: 'active', occurredOn: '2018-03-22' },
      ]),
    ).toEqual({ status: 'active', startedOn: '2018-03-22', endedOn: null });
  });

  it('ends a deployment on the date of its cancellation', () => {
    expect(
      summarizeDeploymentEvents([
        { status: 'active', occurredOn: '2019-05-01' },
        { status: 'cancelled', occurredOn: '2025-06-01' },
      ]),
    ).toEqual({ status: 'cancelled', startedOn: '2019-05-01', endedOn: '2025-06-01' });
  });

  it('counts undated events as older than dated ones, and is unknown without events', () => {
    expect(summarizeDeploymentEvents([{ status: 'cancelled', occurredOn: null }, { status: 'active', occurredOn: '2020-01-01' }]).status).toBe('active');
    expect(summarizeDeploymentEvents([])).toEqual({ status: 'unknown', startedOn: null, endedOn: null });
  });

  it('gives the same answer whatever order the events come in', () => {
    const events = [
      { status: 'active' as const, occurredOn: '2020-01-01' },
      { status: 'rejected' as const, occurredOn: '2020-01-01' },
      { status: 'proposed' as const, occurredOn: null },
    ];
    expect(summarizeDeploymentEvents(events)).toEqual(summarizeDeploymentEvents([...events].reverse()));
  });
});
