import type { PartialDate } from './dates';

export const POLICY_KINDS = ['ban', 'moratorium', 'oversight', 'regulation'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** A policy's life, in order: an end outranks a start on the same day. */
export const POLICY_STATUSES = ['introduced', 'passed', 'in-effect', 'failed', 'expired', 'repealed'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** Statuses in which a policy binds those it covers. */
export const BINDING_STATUSES: ReadonlySet<string> = new Set(['passed', 'in-effect']);
/** Statuses of a policy that does not bind yet and may never. */
export const PENDING_STATUSES: ReadonlySet<string> = new Set(['introduced']);

/** Who made a policy. */
export const POLICY_LEVELS = ['city', 'county', 'state', 'transit-district', 'school-district'] as const;
export type PolicyLevel = (typeof POLICY_LEVELS)[number];

/**
 * Whom a policy binds, shown beside it wherever it is listed:
 * - `government`: the agencies of the government that made it (a city's departments, police included; a
 *   county's departments, such as its sheriff; a state law binding law enforcement across the state);
 * - `non-police`: the government but not its police, and private parties (Baltimore's 2021 moratorium,
 *   which could not bind the city police, then a state agency);
 * - `schools`: schools only (New York's 2020 moratorium on face recognition in schools);
 * - `transit`: a transit district and its police (the BART board's rules);
 * - `businesses`: private businesses, not government (Texas's biometric-privacy statute).
 */
export const POLICY_SCOPES = ['government', 'non-police', 'schools', 'transit', 'businesses'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];

/** Whom a policy binds, in words, for tables and pages. */
export function scopeLabel(scope: string | null, level: string | null): string {
  switch (scope) {
    case 'non-police':
      return 'government except its police, and private parties';
    case 'schools':
      return 'schools only';
    case 'transit':
      return 'the transit district and its police';
    case 'businesses':
      return 'private businesses, not government';
    default:
      return level === 'state'
        ? 'law enforcement across the state'
        : level === 'county'
          ? 'county agencies, such as the sheriff'
          : level === 'city'
            ? 'city departments, police included'
            : 'government agencies';
  }
}

/** Whether a policy limits police use of the technologies it covers (what map shading and "banned" counts mean). */
export function bindsPolice(policy: { scope: string | null }): boolean {
  return (policy.scope ?? 'government') === 'government';
}

export interface PolicyEvidence {
  readonly status: PolicyStatus;
  /**
   * `transition`: the status began then (a vote, a signature, a sunset); `reported`: a list or report says so, with a
   * date whose meaning it does not give.
   */
  readonly kind: 'transition' | 'reported';
  readonly date: PartialDate | null;
}

/**
 * A policy's status and its date. Dated transitions (from the legislation or reports of its steps)
 * decide it; a list's word ("a ban", with a date that may be a vote's or an article's) counts only for a
 * policy with no known step.
 */
export function summarizePolicyEvidence(
  events: readonly PolicyEvidence[],
): { status: PolicyStatus; since: PartialDate | null } | null {
  const transitions = events.filter((e) => e.kind === 'transition');
  const pool = transitions.length > 0 ? transitions : events;
  let best: PolicyEvidence | null = null;
  for (const e of pool) {
    if (best === null) best = e;
    else {
      const a = e.date?.on ?? '';
      const b = best.date?.on ?? '';
      if (a > b || (a === b && POLICY_STATUSES.indexOf(e.status) > POLICY_STATUSES.indexOf(best.status))) best = e;
    }
  }
  return best ? { status: best.status, since: best.date } : null;
}

/** A place as far as coverage needs it. */
export interface CoveredPlace {
  readonly id: string;
  readonly kind: 'state' | 'county' | 'city';
  readonly state: string;
  readonly county_geoid: string | null;
}

export interface PolicyCoverage {
  readonly state: string;
  readonly level: string | null;
  readonly place: { readonly id: string; readonly kind: string; readonly county_geoid?: string | null } | null;
}

/**
 * Whether a policy is in force where a place is: a state's law across the state, a county's in the county
 * and its towns, a town's in the town. A body with no place of its own (a transit or school district)
 * covers no place here. Whom it binds there is its scope (`scopeLabel`): a county's law binds county
 * agencies working in a town, not the town's own police.
 */
export function policyCoversPlace(policy: PolicyCoverage, place: CoveredPlace): boolean {
  if (policy.place === null) return false;
  if (policy.level === 'state' || policy.place.kind === 'state') return place.state === policy.state;
  if (policy.place.kind === 'county')
    return (
      place.id === policy.place.id || (place.kind === 'city' && `county-${place.county_geoid}` === policy.place.id)
    );
  return policy.place.id === place.id;
}
