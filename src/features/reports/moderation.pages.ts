import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, ReportRow } from '#src/storage/schema';
import { isoOf, parseIsoPartialDate, storedDate, todayIso } from '#src/domain/dates';
import { findTechnologyBySlug, technologyVocabulary } from '#src/domain/technologies';
import { externalLink, html, type SafeHtml } from '#src/ui/html';
import { formatNumber, link, sourceList, statusAsOf, technologyName } from '#src/ui/page-parts';
import { formFields, type FormGuard } from '#src/http/forms';
import { guardOperatorRoutes, operatorActor, operatorPage } from '#src/features/operators/operator.pages';
import type { Operators } from '#src/features/operators/operators.service';
import { agencyNames, findSubjectStatus } from './reports.repository';
import { findCitedSources } from '#src/features/sources/sources.repository';
import {
  HAPPENING_KEYS,
  HAPPENINGS,
  happeningInWords,
  isEvidenceUrl,
  isHappening,
  isRejectionReason,
  REJECTION_REASONS,
} from './report-kinds';
import { evidenceOf, ReportError, targetOf, type ReportEdits, type Reports } from './reports.service';

export interface ModerationDeps {
  readonly reports: Reports;
  readonly operators: Operators;
  readonly guard: FormGuard;
}

/** A report's subject, in words, with a link to its page when the record exists. */
function subjectLabel(report: ReportRow, exists: boolean, agencyName: string | undefined): SafeHtml {
  if (report.subject_type === 'deployment') {
    const what = `${agencyName ?? report.agency_id} · ${technologyName(report.technology_slug ?? '')}`;
    return exists
      ? link(`/deployments/${report.subject_id}`, what)
      : html`${what} <span class="note">(not recorded yet: accepting creates it)</span>`;
  }
  const page = report.subject_type === 'policy' ? '/policies/' : '/officials/';
  return link(`${page}${report.subject_id}`, `${report.subject_type} ${report.subject_id}`);
}

function dateOf(report: ReportRow): string {
  return isoOf(storedDate(report.happened_on, report.happened_precision)!);
}

/** The moderation queue: every report beside the record it touches; accept, edit, reject or mark a duplicate. */
export function registerModerationPages(app: FastifyInstance, db: Kysely<Database>, deps: ModerationDeps): void {
  app.register(async (scope) => {
    guardOperatorRoutes(scope, deps);

    scope.get('/operator/reports', async (request, reply) => {
      const [pending, decided] = await Promise.all([deps.reports.pending(), deps.reports.decided()]);
      const names = await agencyNames(
        db,
        pending.map((r) => r.agency_id),
      );
      const rows = await Promise.all(
        pending.map(async (r) => {
          const now = await findSubjectStatus(db, r.subject_type, r.subject_id);
          return html`<tr><td><a href="/operator/reports/${r.id}">${r.created_at.slice(0, 10)}</a></td><td>\
${subjectLabel(r, now !== null, names.get(r.agency_id ?? ''))}</td><td>${happeningInWords(r.happened)} \
(${dateOf(r)})</td><td>${
            now ? statusAsOf(now) : html`<span class="note">none</span>`
          }</td><td class="n">${formatNumber(evidenceOf(r).length)}</td></tr>`;
        }),
      );
      const queue = pending.length
        ? html`<div class="table-wrap"><table><caption>Reports awaiting a decision, oldest first \
(${formatNumber(pending.length)})</caption><thead><tr><th scope="col">Received</th><th scope="col">About</th><th \
scope="col">What happened</th><th scope="col">The record now</th><th scope="col" class="n">Evidence</th></tr></thead>\
<tbody>${rows}</tbody></table></div>`
        : html`<p role="status">No report is waiting. New reports from <a href="/contribute">/contribute</a> \
appear here.</p>`;
      const done = decided.length
        ? html`<h2>Decided lately</h2><ul>${decided.map(
            (r) =>
              html`<li><a href="/operator/reports/${r.id}">${r.decided_at?.slice(0, 10)}</a>: ${r.status}${
                r.reason ? html` (${REJECTION_REASONS[r.reason as keyof typeof REJECTION_REASONS] ?? r.reason})` : ''
              } · ${happeningInWords(r.happened)}</li>`,
          )}</ul>`
        : '';
      const signOut = html`<form method="post" action="/operator/logout">${deps.guard.fields(request, reply)}<button \
type="submit" class="secondary">Sign out</button></form>`;
      return operatorPage(reply, 'Reports', html`<h1>Reports</h1>${queue}${done}${signOut}`);
    });

    async function reportPage(
      request: FastifyRequest,
      reply: FastifyReply,
      report: ReportRow,
      message?: { text: string; error: boolean },
      status = 200,
    ): Promise<FastifyReply> {
      const [now, sources, decisions, names] = await Promise.all([
        findSubjectStatus(db, report.subject_type, report.subject_id),
        report.subject_id
          ? findCitedSources(db, report.subject_type as 'deployment' | 'policy' | 'official', [report.subject_id]).then(
              (found) => found.get(report.subject_id!) ?? [],
            )
          : Promise.resolve([]),
        deps.reports.decisions(report.id),
        agencyNames(db, [report.agency_id]),
      ]);
      const fields = deps.guard.fields(request, reply);
      const email = !report.email_sealed
        ? 'none given'
        : report.email_confirmed_at
          ? 'given and confirmed (told of the decision; never shown)'
          : 'given, not confirmed (not told)';
      const happenedLabel = HAPPENINGS[report.happened as keyof typeof HAPPENINGS]?.label ?? report.happened;
      const received = report.created_at.slice(0, 16).replace('T', ' ');
      const about = subjectLabel(report, now !== null, names.get(report.agency_id ?? ''));
      const said = html`<dl class="facts"><dt>Status</dt><dd>${report.status}${
        report.decided_at ? ` on ${report.decided_at.slice(0, 10)}` : ''
      }</dd><dt>About</dt><dd>${about}</dd><dt>What happened</dt><dd>\
${happenedLabel}</dd><dt>When</dt><dd>${dateOf(report)}</dd>\
<dt>Evidence</dt><dd><ul>${evidenceOf(report).map((u) => html`<li>${externalLink(u)}</li>`)}</ul></dd><dt>Note</dt>\
<dd>${report.note ?? html`<span class="note">none</span>`}</dd><dt>Received</dt><dd>${received} UTC</dd>\
<dt>Reporter's email</dt><dd>${email}</dd></dl>`;
      const record = html`<h2>The record now</h2>${
        now ? html`<p>${statusAsOf(now)}</p>` : html`<p class="note">Not recorded yet.</p>`
      }<h3>Its sources</h3>${sourceList(sources)}`;
      const history = decisions.length
        ? html`<h2>Decisions</h2><ol>${decisions.map(
            (d) =>
              html`<li>${d.created_at.slice(0, 16).replace('T', ' ')}: ${d.decision} by ${d.operator.replace(
                /^operator:/,
                '',
              )}${d.reason ? ` (${d.reason})` : ''}${d.note ? html`: ${d.note}` : ''}${
                d.changes ? html` <span class="note">${d.changes}</span>` : ''
              }</li>`,
          )}</ol>`
        : '';
      const technologies = technologyVocabulary().technologies.filter((t) => t.reviewed);
      const forms =
        report.status !== 'pending'
          ? ''
          : html`<h2>Decide</h2><form method="post" action="/operator/reports/${report.id}" class="action-form" \
aria-label="Accept">${fields}<input type="hidden" name="action" value="accept"><h3>Accept</h3><label>Note <span \
class="note">optional, \
public on the record's history</span><input name="note" maxlength="500"></label><button type="submit">Accept: apply \
it to the record</button></form><form method="post" action="/operator/reports/${report.id}" class="action-form" \
aria-label="Edit before accepting">${fields}<input type="hidden" name="action" value="edit"><h3>Edit before \
accepting</h3><label>What happened<select name="happened">${HAPPENING_KEYS.map(
              (k) =>
                html`<option value="${k}"${k === report.happened ? ' selected' : ''}>${HAPPENINGS[k].label}</option>`,
            )}</select></label><label>When<input name="date" value="${dateOf(report)}" required></label>${
              report.subject_type === 'deployment'
                ? html`<label>Agency id<input name="agency" value="${report.agency_id ?? ''}" \
required></label><label>Technology<select name="technology">${technologies.map(
                    (t) =>
                      html`<option value="${t.slug}"${t.slug === report.technology_slug ? ' selected' : ''}>\
${t.name}</option>`,
                  )}</select></label>`
                : ''
            }<label>Evidence <span class="note">one web address per line</span><textarea name="evidence" \
rows="3">${evidenceOf(report).join('\n')}</textarea></label><button type="submit" class="secondary">Save the \
edit</button></form><form method="post" action="/operator/reports/${report.id}" class="action-form" \
aria-label="Reject">${fields}<input type="hidden" name="action" value="reject"><h3>Reject</h3><label>Reason<select \
name="reason" \
required>${Object.entries(REJECTION_REASONS).map(
              ([k, label]) => html`<option value="${k}">${label}</option>`,
            )}</select></label><label>Note <span class="note">optional; the reporter reads it if they confirmed their \
email</span><textarea name="note" rows="2" maxlength="1000"></textarea></label><button type="submit" \
class="secondary">Reject</button></form><form method="post" action="/operator/reports/${report.id}" \
class="action-form" \
aria-label="Duplicate">${fields}<input type="hidden" name="action" value="duplicate"><h3>A \
duplicate</h3><label>Repeats report \
<input name="of" required pattern="rep-[0-9a-f]{16}" placeholder="rep-…"></label><label>Note <span \
class="note">optional</span><input name="note" maxlength="500"></label><button type="submit" class="secondary">Mark \
as a duplicate</button></form>`;
      const notice = message
        ? html`<p class="${message.error ? 'error' : 'notice'}" role="${message.error ? 'alert' : 'status'}">\
${message.text}</p>`
        : '';
      return operatorPage(
        reply,
        `Report ${report.id}`,
        html`<h1>Report of ${report.created_at.slice(0, 10)}</h1>${notice}<div class="side-by-side"><section \
aria-label="The report">${said}</section><section aria-label="The record">${record}</section></div>${forms}${history}\
<p><a href="/operator/reports">Back to the queue</a></p>`,
        status,
      );
    }

    scope.get<{ Params: { id: string }; Querystring: { done?: string } }>(
      '/operator/reports/:id',
      async (request, reply) => {
        const report = await deps.reports.find(request.params.id);
        if (!report) return operatorPage(reply, 'Not found', html`<h1>No such report</h1>`, 404);
        const done = request.query.done;
        return reportPage(request, reply, report, done ? { text: DONE[done] ?? 'Saved.', error: false } : undefined);
      },
    );

    scope.post<{ Params: { id: string }; Body: Record<string, string> }>(
      '/operator/reports/:id',
      async (request, reply) => {
        const body = formFields(request);
        const report = await deps.reports.find(request.params.id);
        if (!report) return operatorPage(reply, 'Not found', html`<h1>No such report</h1>`, 404);
        const refuse = (text: string, status = 400) =>
          reportPage(request, reply, report, { text, error: true }, status);
        if (deps.guard.check(request, body) !== null)
          return refuse('This form had expired. Nothing was saved: reload the page and try again.', 403);
        const operator = operatorActor(request);
        const note = (body.note ?? '').trim().slice(0, 1000) || null;
        try {
          switch (body.action) {
            case 'accept':
              await deps.reports.accept(report.id, operator, note);
              break;
            case 'reject':
              if (!isRejectionReason(body.reason ?? '')) return refuse('Choose a reason from the list.');
              await deps.reports.reject(report.id, operator, body.reason as keyof typeof REJECTION_REASONS, note);
              break;
            case 'duplicate':
              await deps.reports.markDuplicate(report.id, operator, (body.of ?? '').trim(), note);
              break;
            case 'edit': {
              const edits = readEdits(report, body);
              if (typeof edits === 'string') return refuse(edits);
              await deps.reports.edit(report.id, edits, operator);
              break;
            }
            default:
              return refuse('Unknown action: accept, edit, reject or duplicate.');
          }
        } catch (error) {
          if (error instanceof ReportError) return refuse(`${error.message}. Nothing was saved.`, 409);
          throw error;
        }
        // A redirect, so that reloading does not decide twice.
        return reply.redirect(`/operator/reports/${report.id}?done=${body.action}`, 303);
      },
    );
  });
}

const DONE: Record<string, string> = {
  accept: 'Accepted: the record shows it, with the evidence as a source and an entry in its public history.',
  reject: 'Rejected: nothing from it is public; the reporter is told the reason if they confirmed their email.',
  duplicate: 'Marked as a duplicate.',
  edit: 'Edit saved (kept in the decisions below). Accept it when it is right.',
};

/** A moderator's edit form, checked: the edits, or what is wrong with them. */
function readEdits(report: ReportRow, body: Record<string, string>): ReportEdits | string {
  const happened = body.happened ?? report.happened;
  if (!isHappening(happened)) return 'What happened must be one of the choices.';
  const date = parseIsoPartialDate(body.date ?? '');
  if (!date) return 'When must be a day (2026-10-14), a month (2026-10) or a year (2026).';
  if (date.on > todayIso()) return 'When must not be in the future.';
  const urls = [
    ...new Set(
      (body.evidence ?? '')
        .split(/\s+/)
        .map((u) => u.trim())
        .filter(Boolean),
    ),
  ];
  if (urls.length === 0) return 'Evidence needs at least one web address.';
  const bad = urls.find((u) => !isEvidenceUrl(u));
  if (bad) return `Evidence "${bad.slice(0, 80)}" is not an http(s) web address.`;
  const edits: { -readonly [K in keyof ReportEdits]: ReportEdits[K] } = { happened, date, evidenceUrls: urls };
  if (report.subject_type === 'deployment') {
    const agencyId = (body.agency ?? '').trim();
    const technology = (body.technology ?? '').trim();
    if (!findTechnologyBySlug(technology)) return 'Technology must be one of the choices.';
    if (!agencyId) return 'Agency id is needed.';
    // A programme (flock-safety) stays with the report while its agency and technology do.
    const same = agencyId === report.agency_id && technology === report.technology_slug;
    const programme = same ? (targetOf(report) as { programme?: string }).programme : '';
    edits.target = { type: 'deployment', agencyId, technology, programme };
  }
  return edits;
}
