import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { HttpError } from '#src/http/errors';
import { externalLink, html, renderPage } from '#src/ui/html';
import { deploymentTable, link } from '#src/ui/page-parts';
import { findDeploymentById } from '#src/features/deployments/deployments.repository';

/** One source and every record that cites it. */
export function registerSourcePage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { id: string } }>('/sources/:id', { schema: { hide: true } }, async (request, reply) => {
    const source = await db.selectFrom('sources').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!source) throw new HttpError(404, 'not_found', `No source has the id "${request.params.id}"`);
    const citations = await db
      .selectFrom('citations')
      .select(['subject_type', 'subject_id'])
      .where('source_id', '=', source.id)
      .orderBy('subject_id')
      .limit(200)
      .execute();
    const deployments = (
      await Promise.all(
        citations.filter((c) => c.subject_type === 'deployment').map((c) => findDeploymentById(db, c.subject_id)),
      )
    ).filter((d) => d !== null);
    const policies = citations.filter((c) => c.subject_type === 'policy');
    const body = html`
<h1>${source.title ?? source.publisher ?? 'Source'}</h1>
<dl class="facts">
<dt>Link</dt><dd>${externalLink(source.url)}</dd>
${source.publisher ? html`<dt>Publisher</dt><dd>${source.publisher}</dd>` : ''}
<dt>Kind</dt><dd>${source.kind}</dd>
${source.archive_url ? html`<dt>Archived copy</dt><dd>${externalLink(source.archive_url)}</dd>` : ''}
</dl>
<h2>What it is evidence for</h2>
${deploymentTable(deployments, 'Deployments citing this source')}
${
  policies.length
    ? html`<ul>${policies.map((p) => html`<li>${link(`/policies/${p.subject_id}`, p.subject_id)}</li>`)}<\
/ul>`
    : ''
}
<p class="note">Data: <a href="/api/v1/sources/${source.id}">this source as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: `Source: ${source.publisher ?? source.url}`,
        description: `A source cited by Counterwatch: ${source.url}`,
        body,
      }),
    );
    return reply;
  });
}
