import type { DeploymentStatus, EvidenceKind } from '#src/domain/statuses';

/**
 * What a resident can report happened, and the evidence it becomes once a moderator accepts it: a
 * transition (the status began then) or a document of that date showing the status. A correction says
 * what is wrong in words; a moderator turns it into one of the others before accepting it.
 */
export const HAPPENINGS = {
  started: { label: 'It started (a contract, a partnership, first use)', status: 'active', kind: 'transition' },
  renewed: { label: 'A contract was renewed or extended', status: 'active', kind: 'documented' },
  vote: { label: 'A vote or decision is scheduled (it is proposed)', status: 'proposed', kind: 'documented' },
  ended: { label: 'It ended', status: 'ended', kind: 'transition' },
  cancelled: { label: 'It was cancelled', status: 'cancelled', kind: 'transition' },
  rejected: { label: 'It was proposed and rejected', status: 'rejected', kind: 'transition' },
  correction: { label: 'Something on the record is wrong (say what in the note)', status: null, kind: null },
} as const satisfies Record<string, { label: string; status: DeploymentStatus | null; kind: EvidenceKind | null }>;
export type Happening = keyof typeof HAPPENINGS;
export const HAPPENING_KEYS = Object.keys(HAPPENINGS) as Happening[];

export function isHappening(text: string): text is Happening {
  return Object.hasOwn(HAPPENINGS, text);
}

/** Why a moderator turns a report down; the reporter is told the reason (and the note), if they left an email. */
export const REJECTION_REASONS = {
  'evidence-does-not-show': 'The evidence does not show what the report says',
  'evidence-unavailable': 'The evidence could not be opened or read',
  'wrong-record': 'It concerns another agency, technology or record',
  'out-of-scope': 'It is not about surveillance by a law-enforcement agency',
  'already-recorded': 'It is already recorded',
  spam: 'It is not a report (advertising, abuse or a test)',
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;

export function isRejectionReason(text: string): text is RejectionReason {
  return Object.hasOwn(REJECTION_REASONS, text);
}

/** The records a report can be about. */
export const REPORT_SUBJECTS = ['deployment', 'policy', 'official'] as const;
export type ReportSubject = (typeof REPORT_SUBJECTS)[number];

/** What a report says, in a line ("cancelled", "renewed or extended"). */
export function happeningInWords(happened: string): string {
  switch (happened) {
    case 'started':
      return 'started';
    case 'renewed':
      return 'renewed or extended';
    case 'vote':
      return 'a vote or decision scheduled';
    case 'correction':
      return 'a correction';
    default:
      return happened;
  }
}

/** Whether a report's evidence address may be one: an http(s) URL with a host name (the form and edits alike). */
export function isEvidenceUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}
