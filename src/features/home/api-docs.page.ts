import type { FastifyInstance } from 'fastify';
import { html, join, renderPage } from '#src/ui/html';

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: { type?: string; enum?: string[]; pattern?: string };
}

/** A readable page of the API, made from the same OpenAPI document that /api/v1/openapi.json serves. */
export function registerApiDocsPage(app: FastifyInstance): void {
  app.get('/api', { schema: { hide: true } }, async (_request, reply) => {
    const doc = app.swagger() as {
      info: { description?: string };
      paths: Record<
        string,
        Record<string, { summary?: string; description?: string; parameters?: OpenApiParameter[] }>
      >;
    };
    const sections = join(
      Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/v1/'))
        .map(([path, methods]) => {
          const op = methods.get!;
          const params = (op.parameters ?? []).map((p) => {
            const allowed = p.schema?.enum ? `${p.description ? '. ' : ''}One of: ${p.schema.enum.join(', ')}.` : '';
            return html`<tr><th \
scope="row"><code>${p.name}</code></th><td>${p.in}${p.required ? ', required' : ''}</td><td>\
${(p.description ?? '') + allowed}</td></tr>`;
          });
          return html`<section><h2><code>GET ${path}</code></h2><p>${op.summary ?? ''}.${
            op.description
              ? ` \
${op.description}`
              : ''
          }</p>${
            params.length
              ? html`<table><thead><tr><th scope="col">Parameter</th><th scope="col">In</th><th \
scope="col">Meaning</th></tr></thead><tbody>${params}</tbody></table>`
              : ''
          }</section>`;
        }),
      '\n',
    );
    const body = html`<h1>The Counterwatch API</h1>
<p>${doc.info.description ?? ''}</p>
<p>The machine-readable description is the OpenAPI 3.1 document at <a \
href="/api/v1/openapi.json">/api/v1/openapi.json</a>. A bad parameter gets a 400 with <code>{"error": {"code", \
"message", "parameter"}}</code>; an unknown id a 404; too many requests a 429 with <code>Retry-After</code>. Answers \
carry an <code>ETag</code> that changes with every change to the data.</p>
${sections}`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'API',
        body,
        description:
          'The Counterwatch open-data API: deployments, agencies, places, policies, sources as JSON, CSV and GeoJSON.',
      }),
    );
  });
}
