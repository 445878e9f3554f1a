import { randomBytes } from 'node:crypto';
import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { isoOf, lastDayOf, storedDate, todayIso, type PartialDate } from '#src/domain/dates';
import type { Database, ReportRow } from '#src/storage/schema';
import { newToken, tokenHash, type SupporterCrypto } from '#src/security/supporter-crypto';
import type { Mail, Mailer } from '#src/mail/mailer';
import type { BackgroundJob } from '#src/jobs/housekeeping';
import { bulkRowsFor } from '#src/storage/bulk-writes';
import { bumpDatasetVersion } from '#src/storage/dataset-version';
import { diff } from '#src/storage/revisions';
import { updateSearchIndex } from '#src/storage/search-index';
import { RecordWriter } from '#src/importers/record-writer';
import { Resolver } from '#src/importers/resolver';
import type { BatchContext } from '#src/importers/import-kind';
import {
  deploymentId,
  sourceId,
  sourceKind,
  writeCitations,
  writeDeployments,
  writeSources,
} from '#src/importers/evidence.writes';
import { recordChanges } from '#src/features/changes/changes.repository';
import { technologyName } from '#src/ui/page-parts';
import {
  HAPPENINGS,
  happeningInWords,
  REJECTION_REASONS,
  type Happening,
  type RejectionReason,
  type ReportSubject,
} from './report-kinds';

/** What a report is about: an agency's use of a technology (recorded or not yet), or a policy or official. */
export type ReportTarget =
  | {
      readonly type: 'deployment';
      readonly agencyId: string;
      readonly technology: string;
      /** A named programme that makes its own deployment (flock-safety); '' for none. */
      readonly programme?: string;
    }
  | { readonly type: Exclude<ReportSubject, 'deployment'>; readonly id: string };

export interface ReportInput {
  readonly target: ReportTarget;
  readonly happened: Happening;
  readonly date: PartialDate;
  /** http(s) only, at least one (checked by the form). */
  readonly evidenceUrls: readonly string[];
  readonly note: string | null;
  readonly email: string | null;
}

export type SubmitOutcome =
  | { status: 'received'; id: string }
  /** The evidence is already a source of that record. */
  | { status: 'already-cited'; url: string }
  /** Another report awaiting a moderator cites it for the same record. */
  | { status: 'already-reported'; url: string };

/** A moderator's changes to a report before deciding (what happened, when, on which record, evidence). */
export interface ReportEdits {
  readonly target?: ReportTarget;
  readonly happened?: Happening;
  readonly date?: PartialDate;
  readonly evidenceUrls?: readonly string[];
}

export class ReportError extends Error {}

/** The record id a report touches: for a deployment, the id it has (or will have). */
export function subjectIdOf(target: ReportTarget): string {
  return target.type === 'deployment'
    ? deploymentId(target.agencyId, target.technology, target.programme ?? '')
    : target.id;
}

export function targetOf(report: ReportRow): ReportTarget {
  if (report.subject_type !== 'deployment')
    return { type: report.subject_type as Exclude<ReportSubject, 'deployment'>, id: report.subject_id! };
  // The programme, if any, is what the record's id adds to `<agency>--<technology>`.
  const base = deploymentId(report.agency_id!, report.technology_slug!, '');
  const programme = report.subject_id?.startsWith(`${base}--`) ? report.subject_id.slice(base.length + 2) : '';
  return { type: 'deployment', agencyId: report.agency_id!, technology: report.technology_slug!, programme };
}

export function evidenceOf(report: Pick<ReportRow, 'evidence_urls'>): string[] {
  return JSON.parse(report.evidence_urls) as string[];
}

/**
 * Residents' reports and their moderation. A report waits, private, until a moderator accepts it (the
 * change is written as evidence crediting the report and the moderator, its URLs become cited sources, and
 * the public history says so), rejects it with a reason, or marks it a duplicate. Every decision is kept.
 * A reporter who leaves an email confirms it first (double opt-in) and is then told the decision.
 */
export class Reports {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly crypto: SupporterCrypto,
    private readonly mailer: Mailer,
    private readonly publicUrl: string,
  ) {}

  async submit(input: ReportInput): Promise<SubmitOutcome> {
    const subjectId = subjectIdOf(input.target);
    const cited = await this.citedUrl(input.target.type, subjectId, input.evidenceUrls);
    if (cited) return { status: 'already-cited', url: cited };
    const pending = await this.db
      .selectFrom('reports')
      .select('evidence_urls')
      .where('status', '=', 'pending')
      .where('subject_type', '=', input.target.type)
      .where('subject_id', '=', subjectId)
      .execute();
    for (const p of pending) {
      const url = evidenceOf(p).find((u) => input.evidenceUrls.includes(u));
      if (url) return { status: 'already-reported', url };
    }
    const id = `rep-${randomBytes(8).toString('hex')}`;
    const confirm = input.email ? newToken() : null;
    const now = new Date().toISOString();
    const mailId = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('reports')
        .values({
          id,
          status: 'pending',
          subject_type: input.target.type,
          subject_id: subjectId,
          agency_id: input.target.type === 'deployment' ? input.target.agencyId : null,
          technology_slug: input.target.type === 'deployment' ? input.target.technology : null,
          happened: input.happened,
          happened_on: input.date.on,
          happened_precision: input.date.precision,
          evidence_urls: JSON.stringify(input.evidenceUrls),
          note: input.note,
          email_sealed: input.email ? this.crypto.encrypt(input.email) : null,
          email_hash: input.email ? this.crypto.emailHash(input.email) : null,
          confirm_token_hash: confirm?.hash ?? null,
          email_confirmed_at: null,
          created_at: now,
          decided_at: null,
          decided_by: null,
          reason: null,
          decision_note: null,
          duplicate_of: null,
        })
        .execute();
      return input.email && confirm ? this.mailer.enqueue(trx, this.confirmMail(input.email, confirm.token)) : null;
    });
    if (mailId && input.email && confirm)
      await this.mailer.dispatch(mailId, this.confirmMail(input.email, confirm.token)).catch(() => undefined);
    return { status: 'received', id };
  }

  /** The first of `urls` already cited by the record, if any. */
  private async citedUrl(subjectType: string, subjectId: string, urls: readonly string[]): Promise<string | null> {
    const ids = new Map(urls.map((u) => [sourceId(u), u]));
    const found = await this.db
      .selectFrom('citations')
      .select('source_id')
      .where('subject_type', '=', subjectType)
      .where('subject_id', '=', subjectId)
      .where('source_id', 'in', [...ids.keys()])
      .executeTakeFirst();
    return found ? ids.get(found.source_id)! : null;
  }

  private confirmMail(email: string, token: string): Mail {
    return {
      to: email,
      kind: 'report-confirm',
      subject: 'Confirm your email to follow your Counterwatch report',
      text: `Thank you for your report to Counterwatch.

To be told what a moderator decides, confirm this address (the link opens a page with one button):
${this.publicUrl}/contribute/confirm/${token}

If you did not send a report, ignore this mail: without confirmation we never write to this address again.
Your report itself does not depend on it: a moderator reads every report.
`,
    };
  }

  /** The report whose confirm link this is, or null. */
  async byConfirmToken(token: string): Promise<ReportRow | null> {
    return (
      (await this.db
        .selectFrom('reports')
        .selectAll()
        .where('confirm_token_hash', '=', tokenHash(token))
        .executeTakeFirst()) ?? null
    );
  }

  /** Confirms the reporter's email; false when the link is unknown (or used already). */
  async confirmEmail(token: string): Promise<boolean> {
    const result = await this.db
      .updateTable('reports')
      .set({ email_confirmed_at: new Date().toISOString(), confirm_token_hash: null })
      .where('confirm_token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async find(id: string): Promise<ReportRow | null> {
    return (await this.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  /** Reports awaiting a moderator, oldest first. */
  async pending(limit = 200): Promise<ReportRow[]> {
    return this.db
      .selectFrom('reports')
      .selectAll()
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Reports decided, newest first. */
  async decided(limit = 50): Promise<ReportRow[]> {
    return this.db
      .selectFrom('reports')
      .selectAll()
      .where('status', '!=', 'pending')
      .orderBy('decided_at', 'desc')
      .limit(limit)
      .execute();
  }

  async decisions(id: string) {
    return this.db.selectFrom('report_decisions').selectAll().where('report_id', '=', id).orderBy('id').execute();
  }

  private async pendingOrThrow(id: string): Promise<ReportRow> {
    const report = await this.find(id);
    if (!report) throw new ReportError(`No report has the id "${id}"`);
    if (report.status !== 'pending') throw new ReportError(`This report was already decided (${report.status})`);
    return report;
  }

  /** A moderator's edit before deciding; kept as a decision with what it changed. */
  async edit(id: string, edits: ReportEdits, operator: string): Promise<void> {
    const report = await this.pendingOrThrow(id);
    const next: Partial<ReportRow> = {};
    if (edits.target?.type === 'deployment') {
      const agency = await this.db
        .selectFrom('agencies')
        .select('id')
        .where('id', '=', edits.target.agencyId)
        .executeTakeFirst();
      if (!agency) throw new ReportError(`No agency has the id "${edits.target.agencyId}"`);
    }
    if (edits.target) {
      next.subject_type = edits.target.type;
      next.subject_id = subjectIdOf(edits.target);
      next.agency_id = edits.target.type === 'deployment' ? edits.target.agencyId : null;
      next.technology_slug = edits.target.type === 'deployment' ? edits.target.technology : null;
    }
    if (edits.happened) next.happened = edits.happened;
    if (edits.date) {
      next.happened_on = edits.date.on;
      next.happened_precision = edits.date.precision;
    }
    if (edits.evidenceUrls) next.evidence_urls = JSON.stringify(edits.evidenceUrls);
    const changes = diff(report as unknown as Record<string, unknown>, next);
    if (!changes) return;
    await this.db.transaction().execute(async (trx) => {
      await this.settle(trx, id, next);
      await this.keepDecision(trx, id, 'edited', operator, { changes });
    });
  }

  /** Changes a report that is still pending; one decided meanwhile (by another moderator) is a ReportError. */
  private async settle(trx: Kysely<Database>, id: string, values: Partial<ReportRow>): Promise<void> {
    const result = await trx
      .updateTable('reports')
      .set(values)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ReportError('This report was decided meanwhile');
  }

  private async keepDecision(
    db: Kysely<Database>,
    reportId: string,
    decision: string,
    operator: string,
    extra: { reason?: string | null; note?: string | null; changes?: Record<string, [unknown, unknown]> | null } = {},
  ): Promise<void> {
    await db
      .insertInto('report_decisions')
      .values({
        report_id: reportId,
        decision,
        operator,
        reason: extra.reason ?? null,
        note: extra.note ?? null,
        changes: extra.changes ? JSON.stringify(extra.changes) : null,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  /**
   * Accepts a report: for an agency's use of a technology, its evidence (a transition or a dated document,
   * of "reported" standing) is written to the deployment (created if it is new), which derives its status
   * and dates again; for a policy or an official, the evidence becomes its cited source. Either way the
   * URLs become sources, a revision credits the moderator and the report, and the public history gets
   * one entry. Returns the record's page.
   */
  async accept(id: string, operator: string, note: string | null): Promise<string> {
    const report = await this.pendingOrThrow(id);
    const happening = HAPPENINGS[report.happened as Happening];
    if (!happening) throw new ReportError(`"${report.happened}" is not something a report can say`);
    const target = targetOf(report);
    if (target.type === 'deployment' && happening.status === null)
      throw new ReportError(
        'A correction of a deployment must say what it changes: edit the report and choose what happened first',
      );
    const urls = evidenceOf(report);
    const date = storedDate(report.happened_on, report.happened_precision)!;
    // Evidence is seen on its own date, never later: an accepted report does not stamp today on an old fact.
    const asOf = { on: [lastDayOf(date), todayIso()].sort()[0]!, precision: 'day' as const };
    const now = new Date().toISOString();
    const subjectId = subjectIdOf(target);
    await this.db.transaction().execute(async (trx) => {
      // First, so that of two moderators deciding at once, one does and the other is told.
      await this.settle(trx, report.id, {
        status: 'accepted',
        decided_at: now,
        decided_by: operator,
        decision_note: note,
      });
      const writer = new RecordWriter(trx, bulkRowsFor(this.db, trx), operator, `report ${report.id}`, now);
      const ctx: BatchContext = {
        db: trx,
        writer,
        resolver: new Resolver(trx),
        dataset: 'report',
        file: report.id,
        asOf,
        warn: () => undefined,
      };
      const sources = urls.map((url) => ({
        url,
        publisher: null,
        kind: sourceKind('', null, url),
        archiveUrl: null,
        citedOn: date,
      }));
      let change: Parameters<typeof recordChanges>[1][number];
      const credit = `Reported by a resident on ${report.created_at.slice(0, 10)}, accepted by a moderator on \
${now.slice(0, 10)}.`;
      if (target.type === 'deployment') {
        const agency = await trx
          .selectFrom('agencies')
          .select(['id', 'name', 'state_code', 'place_id'])
          .where('id', '=', target.agencyId)
          .executeTakeFirst();
        if (!agency) throw new ReportError(`No agency has the id "${target.agencyId}"`);
        const before = await trx.selectFrom('deployments').selectAll().where('id', '=', subjectId).executeTakeFirst();
        await writeDeployments(ctx, [
          {
            row: 0,
            line: 0,
            rowKey: report.id,
            agencyId: agency.id,
            state: agency.state_code,
            technology: target.technology,
            programme: target.programme ?? '',
            summary: null,
            vendors: [],
            evidence: [
              {
                status: happening.status!,
                kind: happening.kind!,
                standing: 'reported',
                date,
                sourceUrl: urls[0]!,
                asOf: asOf.on,
                note: note,
              },
            ],
            sources,
          },
        ]);
        const after = await trx.selectFrom('deployments').selectAll().where('id', '=', subjectId).executeTakeFirst();
        const fields = before ? diff(before, pick(after!, SHOWN_FIELDS)) : null;
        change = {
          kind: 'reported',
          entityType: 'deployment',
          entityId: subjectId,
          title: `${agency.name}, ${technologyName(target.technology)}: ${happeningInWords(report.happened)} \
(${isoOf(date)})${before ? '' : '; a new record'}`,
          detail: credit,
          stateCode: agency.state_code,
          placeId: agency.place_id,
          agencyId: agency.id,
          technology: target.technology,
          actor: `report:${report.id}`,
          fields,
        };
      } else {
        const record =
          target.type === 'policy'
            ? await trx
                .selectFrom('policies')
                .select(['title as name', 'state_code', 'place_id'])
                .where('id', '=', target.id)
                .executeTakeFirst()
            : await trx
                .selectFrom('officials')
                .select(['name', 'state_code', 'place_id'])
                .where('id', '=', target.id)
                .executeTakeFirst();
        if (!record) throw new ReportError(`No ${target.type} has the id "${target.id}"`);
        await writeSources(
          ctx,
          sources.map((s) => ({
            row: 0,
            values: { id: sourceId(s.url), url: s.url, publisher: null, title: null, kind: s.kind, archive_url: null },
          })),
        );
        await writeCitations(
          ctx,
          sources.map((s) => ({
            row: 0,
            values: {
              id: `${target.type}:${target.id}:${sourceId(s.url)}`,
              subject_type: target.type,
              subject_id: target.id,
              source_id: sourceId(s.url),
              cited_on: date.on,
              cited_precision: date.precision,
              note: note,
            },
          })),
        );
        change = {
          kind: 'reported',
          entityType: target.type,
          entityId: target.id,
          title: `${record.name}: ${happeningInWords(report.happened)} (${isoOf(date)})${note ? `: ${note}` : ''}`,
          detail: credit,
          stateCode: record.state_code,
          placeId: record.place_id,
          actor: `report:${report.id}`,
        };
      }
      await writer.flushRevisions();
      await recordChanges(trx, [{ ...change, reportId: report.id, evidenceUrls: urls }], now);
      await this.keepDecision(trx, report.id, 'accepted', operator, { note });
    });
    if (target.type === 'deployment') await updateSearchIndex(this.db, [subjectId]);
    await bumpDatasetVersion(this.db, new Date());
    const page = `/${target.type === 'policy' ? 'policies' : `${target.type}s`}/${subjectId}`;
    await this.tellReporter(
      report,
      'Your Counterwatch report was accepted',
      `A moderator accepted your report, and the record now shows it, with your evidence as a source:
${this.publicUrl}${page}

Thank you.`,
    );
    return page;
  }

  /** Turns a report down with a reason (and a note); it stays private, and the reporter is told why. */
  async reject(id: string, operator: string, reason: RejectionReason, note: string | null): Promise<void> {
    const report = await this.pendingOrThrow(id);
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await this.settle(trx, id, {
        status: 'rejected',
        decided_at: now,
        decided_by: operator,
        reason,
        decision_note: note,
      });
      await this.keepDecision(trx, id, 'rejected', operator, { reason, note });
    });
    await this.tellReporter(
      report,
      'Your Counterwatch report was not accepted',
      `A moderator read your report and did not accept it.

Reason: ${REJECTION_REASONS[reason]}.${note ? `\nNote from the moderator: ${note}` : ''}

Nothing from it was published. You are welcome to report again with other evidence.`,
    );
  }

  /** Marks a report as repeating another; nothing from it is published. */
  async markDuplicate(id: string, operator: string, of: string, note: string | null): Promise<void> {
    const report = await this.pendingOrThrow(id);
    if (of === id) throw new ReportError('A report cannot repeat itself');
    if (!(await this.find(of))) throw new ReportError(`No report has the id "${of}"`);
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await this.settle(trx, id, {
        status: 'duplicate',
        decided_at: now,
        decided_by: operator,
        duplicate_of: of,
        decision_note: note,
      });
      await this.keepDecision(trx, id, 'duplicate', operator, { note, reason: of });
    });
    await this.tellReporter(
      report,
      'Your Counterwatch report repeats another',
      `A moderator found that your report repeats one already made, so it is decided with that one.${
        note ? `\nNote from the moderator: ${note}` : ''
      }

Thank you.`,
    );
  }

  /**
   * Mails the reporter, only if they confirmed their address; then forgets the address, whose only use was
   * this mail (the outbox keeps its sealed copy while mail is retried).
   */
  private async tellReporter(report: ReportRow, subject: string, text: string): Promise<void> {
    if (report.email_sealed && report.email_confirmed_at)
      await this.mailer
        .send({ to: this.crypto.decrypt(report.email_sealed), kind: 'report-decision', subject, text })
        .catch(() => undefined);
    await this.forgetEmail(this.db.updateTable('reports').where('id', '=', report.id));
  }

  private async forgetEmail(query: UpdateQueryBuilder<Database, 'reports', 'reports', UpdateResult>) {
    const result = await query
      .set({ email_sealed: null, email_hash: null, confirm_token_hash: null })
      .where('email_sealed', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Forgets reporters' addresses left unconfirmed for 7 days. Returns how many. */
  async forgetUnconfirmedEmails(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - 7 * 86_400_000).toISOString();
    return this.forgetEmail(
      this.db.updateTable('reports').where('email_confirmed_at', 'is', null).where('created_at', '<', before),
    );
  }
}

const SHOWN_FIELDS = ['status', 'started_on', 'ended_on', 'last_seen_on', 'first_documented_on'] as const;

function pick<T extends object>(row: T, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = (row as Record<string, unknown>)[f];
  return out;
}

/** The reports' background job: forgetting the addresses reporters never confirmed (after 7 days). */
export function reportJobs(reports: Reports): BackgroundJob[] {
  return [
    {
      name: 'report-emails',
      everyMs: 60 * 60_000,
      run: async () => `${await reports.forgetUnconfirmedEmails()} unconfirmed addresses forgotten`,
    },
  ];
}
