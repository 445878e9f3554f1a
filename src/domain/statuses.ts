import { comparePartialDates, lastDayOf, type PartialDate } from './dates';

/** Where a deployment stands. Its status is derived from dated evidence; see `summarizeDeploymentEvidence`. */
export const DEPLOYMENT_STATUSES = [
  'proposed',
  'active',
  'paused',
  'ended',
  'cancelled',
  'rejected',
  'unknown',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Statuses after which a deployment is no longer in use; their date is the deployment's end. */
export const ENDING_STATUSES: ReadonlySet<DeploymentStatus> = new Set(['ended', 'cancelled', 'rejected']);

/**
 * What a piece of evidence says about its date:
 * - `transition`: the source says the status began then (Ring's "Active Date", a contract start, a vote to cancel);
 * - `documented`: a document of that date shows the deployment in that status (an article, a budget, a records
 * request);
 * - `listed`: a dataset current as of that date lists the deployment in that status (the Atlas export of 2020-10-07);
 * - `unlisted`: a source that listed the deployment no longer lists it, as of that date. That is not proof
 *   that it ended: it never changes the status or dates, and is shown beside them until newer evidence.
 */
export const EVIDENCE_KINDS = ['transition', 'documented', 'listed', 'unlisted'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * How much a source's word on a date counts: the vendor's or the government's own record of a fact
 * (Ring's Active Date, a signed contract) outranks a report of it. A start date of higher standing is
 * never replaced by one of lower standing, whenever either was imported.
 */
export const EVIDENCE_STANDINGS = ['vendor', 'official', 'reported'] as const;
export type EvidenceStanding = (typeof EVIDENCE_STANDINGS)[number];
const STANDING_RANK: Record<EvidenceStanding, number> = { vendor: 2, official: 2, reported: 1 };

export interface DeploymentEvidence {
  readonly status: DeploymentStatus;
  readonly kind: EvidenceKind;
  readonly standing: EvidenceStanding;
  readonly date: PartialDate | null;
  /** The as-of date of the dataset that recorded it: evidence never counts as seen after its own as-of. */
  readonly asOf: string | null;
  /** For `unlisted` evidence: the source that no longer lists it. */
  readonly by?: string | null;
}

export interface DeploymentSummary {
  readonly status: DeploymentStatus;
  /** When a source says use began (a transition to active), from the sources of the highest standing. */
  readonly started: PartialDate | null;
  /** The earliest document or dataset that shows the deployment. */
  readonly firstDocumented: PartialDate | null;
  /** The as-of date of the newest evidence that shows it in its current status. */
  readonly lastSeen: PartialDate | null;
  /** When it ended (cancelled, rejected, ended), if its status is an end. */
  readonly ended: PartialDate | null;
  /**
   * The days it is known to have been in use, for `active_on` questions: from the last day of the
   * period of its earliest evidence of use (a start "2019" counts from 2019-12-31) to its end (an end in
   * "Aug 2026" counts until 2026-07-31). Null `activeFrom`: never known to be in use.
   */
  readonly activeFrom: string | null;
  readonly activeUntil: string | null;
  /** The newest "no longer listed" by a source, when no evidence is newer. */
  readonly unlisted: { readonly on: PartialDate; readonly by: string | null } | null;
}

const ORDER = DEPLOYMENT_STATUSES;

/**
 * Derives a deployment's status and dates from all its evidence, whatever order it arrives in:
 * the status is that of the latest dated evidence (undated evidence counts as older than any dated one;
 * on the same date an end outranks a start).
 */
export function summarizeDeploymentEvidence(all: readonly DeploymentEvidence[]): DeploymentSummary {
  const evidence = all.filter((e) => e.kind !== 'unlisted');
  let current: DeploymentEvidence | null = null;
  for (const e of evidence) if (current === null || compareEvidence(e, current) > 0) current = e;
  const status = current?.status ?? 'unknown';

  const starts = evidence.filter((e) => e.kind === 'transition' && e.status === 'active' && e.date !== null);
  const bestRank = Math.max(0, ...starts.map((e) => STANDING_RANK[e.standing]));
  const started = earliest(starts.filter((e) => STANDING_RANK[e.standing] === bestRank).map((e) => e.date!));
  const firstDocumented = earliest(
    evidence.filter((e) => e.kind !== 'transition' && e.date !== null).map((e) => e.date!),
  );
  const seen = evidence.filter((e) => e.status === status && e.date !== null).map((e) => seenOn(e));
  const lastSeen = seen.length === 0 ? null : seen.reduce((a, b) => (comparePartialDates(a, b) >= 0 ? a : b));
  const ended = ENDING_STATUSES.has(status) ? statusSince(evidence, status) : null;

  const inUse =
    started ?? earliest(evidence.filter((e) => e.status === 'active' && e.date !== null).map((e) => e.date!));
  const activeFrom = inUse ? lastDayOf(inUse) : null;
  const activeUntil = ended ? (ended.precision === 'day' ? ended.on : dayBefore(ended.on)) : null;
  const newestEvidence = evidence.reduce<string | null>(
    (a, e) => (e.date !== null && (a === null || seenOn(e).on > a) ? seenOn(e).on : a),
    null,
  );
  const unlistings = all.filter(
    (e) => e.kind === 'unlisted' && e.date !== null && (newestEvidence === null || e.date.on > newestEvidence),
  );
  const newestUnlisting = unlistings.reduce<DeploymentEvidence | null>(
    (a, e) => (a === null || e.date!.on > a.date!.on ? e : a),
    null,
  );
  return {
    status,
    started,
    firstDocumented,
    lastSeen,
    ended,
    activeFrom: activeFrom !== null && activeUntil !== null && activeUntil < activeFrom ? null : activeFrom,
    activeUntil,
    unlisted: newestUnlisting ? { on: newestUnlisting.date!, by: newestUnlisting.by ?? null } : null,
  };
}

/** The earliest dated evidence of `status` after the latest dated evidence of any other status. */
function statusSince(evidence: readonly DeploymentEvidence[], status: DeploymentStatus): PartialDate | null {
  const dated = evidence.filter((e) => e.date !== null);
  let lastOther: string | null = null;
  for (const e of dated)
    if (e.status !== status && (lastOther === null || e.date!.on > lastOther)) lastOther = e.date!.on;
  return earliest(
    dated.filter((e) => e.status === status && (lastOther === null || e.date!.on >= lastOther)).map((e) => e.date!),
  );
}

/** A piece of evidence is seen on its date, but never after the as-of date of the dataset that holds it. */
function seenOn(e: DeploymentEvidence): PartialDate {
  if (e.asOf !== null && e.date!.on > e.asOf) return { on: e.asOf, precision: 'day' };
  return e.date!;
}

function compareEvidence(a: DeploymentEvidence, b: DeploymentEvidence): number {
  if (a.date === null || b.date === null) {
    if (a.date !== b.date) return a.date === null ? -1 : 1;
  } else if (a.date.on !== b.date.on) {
    return a.date.on < b.date.on ? -1 : 1;
  }
  return ORDER.indexOf(a.status) - ORDER.indexOf(b.status);
}

function earliest(dates: readonly PartialDate[]): PartialDate | null {
  let best: PartialDate | null = null;
  for (const d of dates) if (best === null || comparePartialDates(d, best) < 0) best = d;
  return best;
}

function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
