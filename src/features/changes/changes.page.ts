import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { html, renderPage } from '#src/ui/html';
import { withQuery } from '#src/ui/page-parts';
import { HttpError } from '#src/http/errors';
import { STATES } from '#src/domain/states';
import { technologyVocabulary } from '#src/domain/technologies';
import { CHANGE_KINDS, findChanges } from './changes.repository';
import { changeFilterQuery } from './changes.routes';
import { changeItem } from './change-history';

const PAGE = 50;

/** `/changes`: the public change history, newest first, with filters and an Atom feed of the same. */
export function registerChangesPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/changes', { schema: { hide: true } }, async (request, reply) => {
    const raw = Object.fromEntries(
      Object.entries(request.query as Record<string, unknown>).filter(([, v]) => typeof v === 'string' && v !== ''),
    ) as Record<string, string>;
    const { before, ...filters } = raw;
    const parsed = changeFilterQuery.safeParse(filters);
    if (!parsed.success)
      throw new HttpError(
        400,
        'invalid_parameter',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    const beforeId = before === undefined ? undefined : Number(before);
    if (beforeId !== undefined && (!Number.isSafeInteger(beforeId) || beforeId < 1))
      throw new HttpError(400, 'invalid_parameter', 'before: must be the number of a change');
    const { data, more } = await findChanges(db, { ...parsed.data, after: beforeId, limit: PAGE, order: 'desc' });
    const feed = withQuery('/feeds/changes.atom', filters);
    const select = (name: string, label: string, options: Array<[string, string]>) =>
      html`<label>${label}<select name="${name}"><option \
value="">All</option>${options.map(
        ([value, text]) => html`<option \
value="${value}"${filters[name] === value ? ' selected' : ''}>${text}</option>`,
      )}</select></label>`;
    const body = html`
<h1>What changed</h1>
<p>Every change to the data, newest first: what changed, when, and on what evidence (which source's import, or which \
editor). The first load of each bundled dataset is one entry. <a href="${feed}">Follow these changes in a feed reader \
(Atom)</a> · <a href="${withQuery('/api/v1/changes', filters)}">as JSON</a>.</p>
<form class="filters" method="get" action="/changes">
${select(
  'state',
  'State',
  STATES.map((s) => [s.code, s.name]),
)}
${select(
  'technology',
  'Technology',
  technologyVocabulary().technologies.map((t) => [t.slug, t.name]),
)}
${select(
  'kind',
  'Kind of change',
  CHANGE_KINDS.map((k) => [k, k.replace(/-/g, ' ')]),
)}
${filters.place ? html`<input type="hidden" name="place" value="${filters.place}">` : ''}
${filters.source ? html`<input type="hidden" name="source" value="${filters.source}">` : ''}
<label>Since<input type="date" name="since" value="${filters.since ?? ''}"></label>
<button type="submit">Show</button>
</form>
${
  data.length
    ? html`<ol class="history">${data.map((c) => changeItem(c))}</ol>`
    : html`<p class="note">No change \
matches these filters${Object.keys(filters).length ? html` (<a href="/changes">show every change</a>)` : ''}.</p>`
}
<nav class="pager" aria-label="Older changes">${
      beforeId !== undefined
        ? html`<a \
href="${withQuery('/changes', filters)}">Newest</a>`
        : ''
    }${
      more
        ? html`<a \
href="${withQuery('/changes', { ...filters, before: data.at(-1)!.id })}" rel="next">Older changes →</a>`
        : ''
    }</nav>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'What changed',
        description: 'Every change to the Counterwatch data, with its evidence.',
        body,
        feeds: [{ title: 'Counterwatch: changes', href: feed }],
        noindex: Object.keys(raw).length > 0,
      }),
    );
    return reply;
  });
}
