/** Where a deployment stands. Transitions are dated events; the current status is derived from them. */
export const DEPLOYMENT_STATUSES = ['proposed', 'active', 'paused', 'ended', 'cancelled', 'rejected', 'unknown'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Statuses after which a deployment is no longer in use; their date is the deployment's end. */
export const ENDING_STATUSES: ReadonlySet<DeploymentStatus> = new Set(['ended', 'cancelled', 'rejected']);

export const POLICY_KINDS = ['ban', 'moratorium', 'oversight', 'regulation'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const POLICY_STATUSES = ['introduced', 'passed', 'failed', 'repealed'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

export interface DatedStatus<S extends string> {
  readonly status: S;
  /** YYYY-MM-DD, or null when the source gives no date. */
  readonly occurredOn: string | null;
}

/**
 * The current status is the latest dated event; undated events count as older than any dated one,
 * and ties on the same day go to the later status in `order` (an end outranks a start).
 * Returns null for an empty history.
 */
export function currentStatus<S extends string>(events: readonly DatedStatus<S>[], order: readonly S[]): DatedStatus<S> | null {
  let best: DatedStatus<S> | null = null;
  for (const event of events) {
    if (best === null || compareEvents(event, best, order) > 0) best = event;
  }
  return best;
}

function compareEvents<S extends string>(a: DatedStatus<S>, b: DatedStatus<S>, order: readonly S[]): number {
  const da = a.occurredOn ?? '';
  const db = b.occurredOn ?? '';
  if (da !== db) return da < db ? -1 : 1;
  return order.indexOf(a.status) - order.indexOf(b.status);
}

/** Derives the deployment's current status, start and end from its dated events. */
export function summarizeDeploymentEvents(events: readonly DatedStatus<DeploymentStatus>[]): {
  status: DeploymentStatus;
  startedOn: string | null;
  endedOn: string | null;
} {
  const current = currentStatus(events, DEPLOYMENT_STATUSES);
  const starts = events
    .filter((e) => e.status === 'active' && e.occurredOn !== null)
    .map((e) => e.occurredOn as string)
    .sort();
  const status = current?.status ?? 'unknown';
  return {
    status,
    startedOn: starts[0] ?? null,
    endedOn: ENDING_STATUSES.has(status) ? (current?.occurredOn ?? null) : null,
  };
}
