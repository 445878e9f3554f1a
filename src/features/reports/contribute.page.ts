import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { parseIsoPartialDate, todayIso, type PartialDate } from '#src/domain/dates';
import { technologyVocabulary } from '#src/domain/technologies';
import { html, join, type SafeHtml } from '#src/ui/html';
import { link } from '#src/ui/page-parts';
import { formFields } from '#src/http/forms';
import { PublicFormGate, type PublicFormLimits } from '#src/http/public-form-gate';
import { sendButtonPage, sendMessagePage, sendPrivatePage } from '#src/http/message-page';
import { webEntry } from '#src/http/static-assets';
import { findAgencyChoices, findReportSubject, type ReportSubjectView } from './reports.repository';
import { HAPPENING_KEYS, HAPPENINGS, isEvidenceUrl, isHappening } from './report-kinds';
import type { ReportTarget, Reports } from './reports.service';

export interface ContributeDeps extends Omit<
  PublicFormLimits,
  'perAddressPerMinute' | 'perAddressWithoutProofPerMinute'
> {
  readonly reports: Reports;
  /** Reports a minute from one address (default 5), and without a solved proof of work (default 2). */
  readonly perAddressPerMinute?: number;
  readonly perAddressWithoutProofPerMinute?: number;
}

const LABELS: Record<string, string> = {
  agency: 'Agency',
  technology: 'Technology',
  happened: 'What happened',
  date: 'When',
  evidence_1: 'Evidence',
  evidence_2: 'More evidence',
  evidence_3: 'More evidence',
  note: 'Note',
  email: 'Your email',
  subject: 'What the report is about',
};

const evidenceUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2,000 characters')
  .refine((s) => s === '' || isEvidenceUrl(s), 'must be a web address starting with http:// or https://');

/** The report form, as posted. Agency and technology are checked against the database afterwards. */
const reportForm = z.object({
  subject: z.enum(['deployment', 'policy', 'official'], { message: 'must be a deployment, policy or official' }),
  subject_id: z.string().max(300).optional(),
  agency: z.string().trim().max(300).optional(),
  technology: z.string().trim().max(100).optional(),
  programme: z.string().trim().max(100).optional(),
  happened: z.string().refine(isHappening, 'must be one of the choices'),
  date: z
    .string()
    .trim()
    .min(1, 'is needed: a day (2026-10-14), a month (2026-10) or a year (2026)')
    .refine((s) => parseIsoPartialDate(s) !== null, 'must be a day (2026-10-14), a month (2026-10) or a year (2026)')
    .refine((s) => (parseIsoPartialDate(s)?.on ?? '') <= todayIso(), 'must not be in the future'),
  evidence_1: evidenceUrl.refine((s) => s !== '', 'is needed: at least one web address that shows it'),
  evidence_2: evidenceUrl.optional(),
  evidence_3: evidenceUrl.optional(),
  note: z.string().trim().max(2000, 'must be at most 2,000 characters').optional(),
  email: z.union([z.literal(''), z.email({ message: 'must be an email address, or left empty' })]).optional(),
});

/** `/contribute`: anyone reports a change or an error, with evidence; nothing is public until a moderator accepts it. */
export function registerContributePages(app: FastifyInstance, db: Kysely<Database>, deps: ContributeDeps): void {
  const gate = new PublicFormGate(
    {
      guard: deps.guard,
      pow: deps.pow,
      perAddressPerMinute: deps.perAddressPerMinute ?? 5,
      perAddressWithoutProofPerMinute: deps.perAddressWithoutProofPerMinute ?? 2,
      sharedCounters: deps.sharedCounters,
    },
    'reports',
  );
  const scripts = [webEntry('pow'), webEntry('agency-search')].flatMap((e) => (e ? [e.script] : []));

  async function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    query: Record<string, string | undefined>,
    posted?: { values: Record<string, string>; error: { field: string; message: string }; status: number },
  ): Promise<FastifyReply> {
    const values = posted?.values ?? {};
    const subject = await findReportSubject(db, {
      deployment: query.deployment,
      policy: query.policy ?? (values.subject === 'policy' ? values.subject_id : undefined),
      official: query.official ?? (values.subject === 'official' ? values.subject_id : undefined),
      agency: values.agency || query.agency,
      technology: values.technology || query.technology,
      programme: values.programme,
    });
    const search = (query.agency_q ?? '').trim().slice(0, 100);
    const choices = subject.agency || search.length < 2 ? [] : await findAgencyChoices(db, search, 12);
    const error = posted?.error;
    return sendPrivatePage(
      reply,
      {
        title: 'Report a change or an error',
        description: 'Tell Counterwatch about a surveillance programme that started, ended or changed, with evidence.',
        scripts,
        body: html`<h1>Report a change or an error</h1><p>Tell us what happened, with a web address that shows \
it (a news story, council minutes, a contract, a records request). A moderator reads every report; nothing is \
published until they accept it, and then the record shows your evidence as its source and says a resident \
reported it. <a href="/about#reports">How reports are decided</a>.</p>${
          error
            ? html`<p class="error" role="alert" id="form-error">${LABELS[error.field] ?? error.field} \
${error.message}. Nothing was recorded yet.</p>`
            : ''
        }${subjectPart(subject, search, choices, values)}<form method="post" action="/contribute" \
class="action-form" data-pow aria-label="Your report">${deps.guard.fields(request, reply)}${deps.pow.fields()}\
${subjectFields(subject, choices, values)}${happeningFields(subject, values)}${evidenceFields(values)}<button \
type="submit">Send the report</button></form>`,
      },
      posted?.status ?? 200,
    );
  }

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/contribute',
    { schema: { hide: true } },
    async (request, reply) => formPage(request, reply, request.query),
  );

  // Search as you type (web/agency-search.ts); the form works without it through `agency_q`.
  app.get<{ Querystring: { q?: string } }>('/contribute/agencies', { schema: { hide: true } }, async (request) => {
    const q = String(request.query.q ?? '')
      .trim()
      .slice(0, 100);
    return { data: q.length < 2 ? [] : await findAgencyChoices(db, q, 12) };
  });

  app.post<{ Body: Record<string, string> }>('/contribute', { schema: { hide: true } }, async (request, reply) => {
    const body = formFields(request);
    const refusal = await gate.check(request, body);
    if (refusal) {
      if (refusal.retryAfter) reply.header('retry-after', String(refusal.retryAfter));
      return sendMessagePage(reply, refusal.status, refusal.title, refusal.message, '/contribute');
    }
    const again = (field: string, message: string, status = 422) =>
      formPage(request, reply, {}, { values: body, error: { field, message }, status });
    const parsed = reportForm.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return again(String(issue.path[0] ?? 'form'), issue.message);
    }
    const form = parsed.data;
    const domainRefusal = form.email ? await gate.checkEmailDomain(form.email) : null;
    if (domainRefusal) {
      reply.header('retry-after', String(domainRefusal.retryAfter));
      return sendMessagePage(reply, domainRefusal.status, domainRefusal.title, domainRefusal.message, '/contribute');
    }
    let target: ReportTarget;
    if (form.subject === 'deployment') {
      const found = await findReportSubject(db, {
        agency: form.agency,
        technology: form.technology,
        programme: form.programme,
      });
      if (!found.agency) return again('agency', 'is needed: find the agency and choose it');
      if (!found.technology) return again('technology', 'must be one of the choices');
      target = {
        type: 'deployment',
        agencyId: found.agency.id,
        technology: found.technology,
        programme: found.programme,
      };
    } else {
      const found = await findReportSubject(db, { [form.subject]: form.subject_id });
      if (!found.record) return again('subject', `names no ${form.subject} we know`);
      target = { type: form.subject, id: found.record.id };
    }
    const urls = [...new Set([form.evidence_1, form.evidence_2, form.evidence_3].filter((u): u is string => !!u))];
    const outcome = await deps.reports.submit({
      target,
      happened: form.happened,
      date: parseIsoPartialDate(form.date) as PartialDate,
      evidenceUrls: urls,
      note: form.note || null,
      email: form.email || null,
    });
    if (outcome.status === 'already-cited')
      return again('evidence_1', `(${outcome.url}) is already a source of this record: is there newer evidence?`, 409);
    if (outcome.status === 'already-reported')
      return again('evidence_1', `(${outcome.url}) is in a report a moderator has not decided yet`, 409);
    // A redirect, so that reloading the thank-you page does not send the report again.
    return reply.redirect(`/contribute/sent?${new URLSearchParams({ email: form.email ? '1' : '0' })}`, 303);
  });

  app.get<{ Querystring: { email?: string } }>('/contribute/sent', { schema: { hide: true } }, async (request, reply) =>
    sendMessagePage(
      reply,
      200,
      'Thank you: your report is in',
      request.query.email === '1'
        ? 'A moderator will read it. We sent you an email: confirm your address there to be told what they decide. \
Until you do, we never write to it again.'
        : 'A moderator will read it. If they accept it, the record will show your evidence and say a resident reported it.',
      '/contribute',
      'Report something else',
    ),
  );

  // The link in the mail opens a page with one button; only its POST confirms (mail scanners fetch links).
  app.get<{ Params: { token: string } }>(
    '/contribute/confirm/:token',
    { schema: { hide: true } },
    async (request, reply) => {
      const report = await deps.reports.byConfirmToken(request.params.token);
      if (!report) return unknownLink(reply);
      return sendButtonPage(
        reply,
        'Confirm your email',
        `Confirm this address to be told what a moderator decides about your report of \
${report.created_at.slice(0, 10)}. We write to it about this report only.`,
        { action: `/contribute/confirm/${request.params.token}`, label: 'Confirm my email' },
      );
    },
  );

  app.post<{ Params: { token: string } }>(
    '/contribute/confirm/:token',
    { schema: { hide: true } },
    async (request, reply) => {
      if (!(await deps.reports.confirmEmail(request.params.token))) return unknownLink(reply);
      return reply.redirect('/contribute/confirmed', 303);
    },
  );

  app.get('/contribute/confirmed', { schema: { hide: true } }, async (_request, reply) =>
    sendMessagePage(
      reply,
      200,
      'Thank you: your email is confirmed',
      'We will write once a moderator decides about your report.',
      '/contribute',
      'Report something else',
    ),
  );
}

function unknownLink(reply: FastifyReply): FastifyReply {
  return sendMessagePage(
    reply,
    404,
    'This link does not work',
    'This confirmation link is unknown, or was used already. Your report itself is not lost.',
  );
}

/** What the report is about, above the form: the record, or a search for the agency (works without JavaScript). */
function subjectPart(
  subject: ReportSubjectView,
  search: string,
  choices: ReadonlyArray<{ id: string; name: string; state_code: string }>,
  values: Record<string, string>,
): SafeHtml | '' {
  if (subject.record) return html`<p>About: ${link(subject.record.url, subject.record.name)}</p>`;
  if (subject.agency)
    return subject.deployment
      ? html`<p>About: ${link(subject.deployment.url, 'the record of this agency and technology')}</p>`
      : '';
  const results = search
    ? choices.length
      ? html`<p id="agency-count" role="status">${
          choices.length === 12
            ? 'The first 12 agencies'
            : `${choices.length} \
${choices.length === 1 ? 'agency' : 'agencies'}`
        } matching “${search}”: choose one in the form below.</p>`
      : html`<p id="agency-count" role="status">No agency matches “${search}”. Try part of its name, or its town \
(“Springfield police”).</p>`
    : '';
  return html`<form method="get" action="/contribute" class="action-form" role="search" aria-label="Find the \
agency"><label>Which agency? <span class="note">part of its name or town, then Find</span><input name="agency_q" \
value="${search || values.agency_q || ''}" autocomplete="off" data-agency-search aria-controls="agency-choices" \
required minlength="2"></label><button type="submit" class="secondary">Find</button></form>${results}`;
}

function subjectFields(
  subject: ReportSubjectView,
  choices: ReadonlyArray<{ id: string; name: string; state_code: string }>,
  values: Record<string, string>,
): SafeHtml {
  if (subject.record)
    return html`<input type="hidden" name="subject" value="${subject.record.type}"><input type="hidden" \
name="subject_id" value="${subject.record.id}">`;
  const technologies = technologyVocabulary().technologies.filter((t) => t.reviewed);
  const chosenTechnology = subject.technology ?? values.technology ?? '';
  const agency = subject.agency
    ? html`<p>Agency: <strong>${subject.agency.name}</strong> (${subject.agency.state_code}) · <a \
href="/contribute">another agency</a></p><input type="hidden" name="agency" value="${subject.agency.id}">${
        subject.programme ? html`<input type="hidden" name="programme" value="${subject.programme}">` : ''
      }`
    : html`<fieldset id="agency-choices" aria-live="polite"><legend>Agency</legend>${
        choices.length
          ? join(
              choices.map(
                (a, i) =>
                  html`<label class="inline"><input type="radio" name="agency" value="${a.id}"${
                    i === 0 && choices.length === 1 ? ' checked' : ''
                  } required> ${a.name} (${a.state_code})</label>`,
              ),
              '',
            )
          : html`<p class="note">Find the agency first, with the search above.</p>`
      }</fieldset>`;
  return html`<input type="hidden" name="subject" value="deployment">${agency}<label>Technology<select \
name="technology" required><option value="">Choose…</option>${technologies.map(
    (t) => html`<option value="${t.slug}"${t.slug === chosenTechnology ? ' selected' : ''}>${t.name}</option>`,
  )}</select></label>`;
}

function happeningFields(subject: ReportSubjectView, values: Record<string, string>): SafeHtml {
  // A policy or an official is corrected in words; a deployment's change says what it is.
  const keys = subject.record ? (['correction'] as const) : HAPPENING_KEYS;
  return html`<label>What happened<select name="happened" required>${keys.map(
    (k) => html`<option value="${k}"${values.happened === k ? ' selected' : ''}>${HAPPENINGS[k].label}</option>`,
  )}</select></label><label>When <span class="note">a day (2026-10-14), a month (2026-10) or a year (2026); for a \
scheduled vote, the day it was announced</span><input name="date" value="${values.date ?? ''}" required \
inputmode="numeric" pattern="\\d{4}(-\\d{2}(-\\d{2})?)?" autocomplete="off"></label>`;
}

function evidenceFields(values: Record<string, string>): SafeHtml {
  return html`<label>Evidence <span class="note">a web address that shows it (http:// or https://)</span><input \
name="evidence_1" type="url" value="${values.evidence_1 ?? ''}" required></label><label>More evidence <span \
class="note">optional</span><input name="evidence_2" type="url" value="${values.evidence_2 ?? ''}"></label><label>More \
evidence <span class="note">optional</span><input name="evidence_3" type="url" value="${values.evidence_3 ?? ''}">\
</label><label>Note <span class="note">optional: what the evidence shows, or what is wrong on the record</span>\
<textarea \
name="note" rows="4" maxlength="2000">${values.note ?? ''}</textarea></label><label>Your email <span \
class="note">optional, to be told what a moderator decides; kept encrypted, never shown, and used for nothing \
else</span><input name="email" type="email" autocomplete="email" value="${values.email ?? ''}"></label>`;
}
