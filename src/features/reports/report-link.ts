import { html, type SafeHtml } from '#src/ui/html';

/** "Report a change or an error" on a record's page, opening the report form about that record. */
export function reportLink(about: 'deployment' | 'agency' | 'policy' | 'official', id: string): SafeHtml {
  return html`<p class="report"><a href="/contribute?${about}=${encodeURIComponent(id)}">Report a change or an \
error</a> <span class="note">(with evidence; a moderator decides in the open)</span></p>`;
}
