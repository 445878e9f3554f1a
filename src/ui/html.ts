import { createHash } from 'node:crypto';
import { html, isSafeHref, type SafeHtml } from './safe-html';

export { html, isSafeHref, join, SafeHtml } from './safe-html';

/**
 * A link to another site (`rel="nofollow noopener"`); a URL that is not http(s) is shown as text, never
 * as a link, whatever an import or an editor stored.
 */
export function externalLink(url: string, label: string = url): SafeHtml {
  return isSafeHref(url) ? html`<a href="${url}" rel="nofollow noopener">${label}</a>` : html`${label}`;
}

/**
 * The site's one stylesheet. It is served as a file (`/assets/site-<hash>.css`, cached for a year) so that
 * the Content-Security-Policy can forbid inline styles. Colours meet WCAG AA contrast on their backgrounds.
 */
export const SITE_CSS = `
:root{color-scheme:light;--ink:#1b1b1f;--muted:#4a4a55;--line:#c9c9d3;--accent:#8a1c1c;--bg:#fbfbfd;--ok:#1d5e2c;\
--warn:#7a4b00}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe \
UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}.sources \
a{overflow-wrap:anywhere}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-vi\
sible{outline:3px solid #1a4fb8;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}.skip:focus{left:0}
.site,main,footer{max-width:72rem;margin:0 auto;padding:1rem}
.site{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;border-bottom:1px solid var(--line)}
.site .brand{font-weight:700;text-decoration:none;font-size:1.25rem;color:var(--ink)}
.site nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;list-style:none}.site nav \
a{display:inline-block;padding:.5rem 0}
.site form{margin-left:auto;display:flex;gap:.25rem}
input,select,button{font:inherit;padding:.4rem .5rem;border:1px solid \
#767680;border-radius:.25rem;background:#fff;color:var(--ink);min-height:2.5rem}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}button.secondary{background:#fff;\
color:var(--accent)}
h1{line-height:1.2;margin:.5rem 0 1rem}h2{margin-top:2rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:1rem;margin:1rem \
0;padding:0;list-style:none}
.figures li{border:1px solid var(--line);border-radius:.5rem;padding:1rem;background:#fff}.figures \
strong{display:block;font-size:2rem;line-height:1.1}
.table-wrap{overflow-x:auto;position:relative}table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid \
var(--line);vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.date{white-space:nowrap}
caption{text-align:left;font-weight:600;padding:.4rem 0}
th a{color:var(--ink)}th[aria-sort] a{color:var(--accent)}
.status{display:inline-block;padding:0 .4rem;border-radius:.25rem;border:1px solid \
currentColor;font-size:.875rem;white-space:nowrap}
.status-active,.status-passed,.status-in-effect{color:var(--accent)}\
.status-ended,.status-cancelled,.status-rejected,.status-failed,.status-repealed,.status-expired{color:var(--ok)}\
.status-proposed,.status-introduced,.status-paused,.status-unknown{color:var(--warn)}
.as-of{font-size:.9rem;color:var(--muted);white-space:nowrap}
.history{padding-left:1.25rem}.history li{margin:.5rem 0}
.badge{display:inline-block;padding:0 .35rem;border-radius:.25rem;border:1px dashed \
var(--warn);color:var(--warn);font-size:.8rem;font-weight:400;vertical-align:middle;white-space:nowrap}
.notice{border-left:4px solid var(--warn);padding:.5rem 1rem;background:#fff;margin:1rem 0}
.note{color:var(--muted);font-size:.95rem}.stale{color:var(--warn);font-weight:600}
.crumbs ol{display:flex;flex-wrap:wrap;gap:.25rem;margin:0;padding:0;list-style:none;font-size:.95rem}.crumbs \
li+li::before{content:"›";margin-right:.25rem;color:var(--muted)}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:1rem 0;padding:.75rem;border:1px solid \
var(--line);border-radius:.5rem;background:#fff}
.filters label{display:flex;flex-direction:column;font-size:.9rem;gap:.15rem}
.filters fieldset{border:0;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:0 1rem;flex:1 1 100%}.filters \
legend{font-size:.9rem;padding:0;margin-bottom:.15rem}
.filters fieldset label{flex-direction:row;align-items:center;gap:.35rem;min-height:2rem}.filters \
input[type=checkbox]{min-height:auto;width:1.1rem;height:1.1rem}
.pager{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:1rem 0}.pager \
a{display:inline-block;padding:.5rem}
.side-by-side{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:0 2rem}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.facts dt{font-weight:600}dl.facts \
dd{margin:0}
ol.timeline{list-style:none;padding:0;border-left:3px solid var(--line);margin-left:.5rem}ol.timeline \
li{padding:.25rem 0 .75rem 1rem}
.filters-panel>summary{cursor:pointer;font-weight:600;padding:.4rem 0;min-height:2rem}
.view-control{position:absolute;top:.5rem;left:.5rem;max-width:calc(100% - \
3.5rem);z-index:2;display:flex;flex-wrap:wrap;gap:.3rem}.view-control button{padding:.25rem \
.5rem;font-size:.85rem;background:#fff}
@media (max-width:40rem){.map-layout{display:flex;flex-direction:column}.map-layout>.map-shell{order:-2}\
.map-layout>.map-controls{order:-1}#map{height:min(62vh,30rem)}}
.map-shell{position:relative}#map{height:min(70vh,40rem);width:100%;border:1px solid \
var(--line);border-radius:.5rem;background:#dfe6ee}
.map-controls{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;margin:.5rem 0}
.map-controls fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.25rem \
.75rem;margin:0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
.map-controls legend{font-size:.9rem;font-weight:600}.map-controls \
label{display:inline-flex;gap:.3rem;align-items:center;min-height:2rem}
.timeline-control{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.5rem 0}.timeline-control \
input[type=range]{flex:1 1 14rem}
.timeline-count{font-weight:600;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:.5rem 1rem;font-size:.9rem;padding:0;list-style:none}.legend \
span.swatch{display:inline-block;width:1rem;height:1rem;border-radius:50%;vertical-align:middle;margin-right:.3rem;\
border:1px solid #0003}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.action-form{display:flex;flex-direction:column;gap:.6rem;max-width:40rem;padding:1rem;border:1px solid \
var(--line);border-radius:.5rem;background:#fff}
.action-form label{display:flex;flex-direction:column;gap:.2rem}.action-form \
label.inline{flex-direction:row;align-items:center;gap:.5rem}
.action-form button{align-self:flex-start}textarea{font:inherit;padding:.5rem;border:1px solid \
#767680;border-radius:.25rem;width:100%}
.error{color:#a4141c;font-weight:600}blockquote{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid \
var(--line);background:#fff}ul.plain{list-style:none;padding:0}
body.embed main{max-width:40rem;padding:.75rem}body.embed h1{font-size:1.4rem}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;margin-top:2rem}
@media (max-width:40rem){.site form{margin-left:0;width:100%}.site form \
input{flex:1}dl.facts{grid-template-columns:1fr}}
`;

export const SITE_CSS_PATH = `/assets/site-${createHash('sha256').update(SITE_CSS).digest('hex').slice(0, 12)}.css`;

export interface Page {
  title: string;
  body: SafeHtml;
  description?: string;
  /** Trail of links above the title, e.g. [['Massachusetts', '/places/ma']]. */
  crumbs?: Array<[string, string]>;
  /** Same-origin scripts (module) and stylesheets this page adds; only the map page has any. */
  scripts?: string[];
  styles?: string[];
  /** Keep search engines off pages that are only views of other pages (e.g. filtered lists). */
  noindex?: boolean;
  /** Atom feeds of this page's changes, announced to feed readers. */
  feeds?: Array<{ title: string; href: string }>;
}

const DESCRIPTION = 'Which US police agencies use which surveillance technology, since when, and who says so.';

const SITE_NAV: ReadonlyArray<[string, string]> = [
  ['Map', '/map'],
  ['List', '/deployments'],
  ['Technologies', '/technologies'],
  ['Laws', '/policies'],
  ['Act', '/campaigns'],
  ['Changes', '/changes'],
  ['About the data', '/about'],
  ['API', '/api'],
];

/** The site's page shell. Nothing in it loads from another origin; pages work without JavaScript. */
export function renderPage(page: Page): string {
  const crumbs = page.crumbs?.length
    ? html`<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>${page.crumbs.map(
        ([label, href]) => html`<li><a href="${href}">${label}</a></li>`,
      )}</ol></nav>`
    : '';
  const feeds = (page.feeds ?? []).map(
    (f) => html`<link rel="alternate" type="application/atom+xml" title="${f.title}" href="${f.href}">\n`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Counterwatch</title>
<meta name="description" content="${page.description ?? DESCRIPTION}">
${page.noindex ? html`<meta name="robots" content="noindex">\n` : ''}${feeds}<link rel="icon" href="/favicon.svg" \
type="image/svg+xml">
<link rel="stylesheet" href="${SITE_CSS_PATH}">
${(page.styles ?? []).map((href, i) => html`${i > 0 ? '\n' : ''}<link rel="stylesheet" href="${href}">`)}
${(page.scripts ?? []).map((src, i) => html`${i > 0 ? '\n' : ''}<script type="module" src="${src}"></script>`)}
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="site">
<a class="brand" href="/">Counterwatch</a>
<nav aria-label="Site"><ul>${SITE_NAV.map(([label, href]) => html`<li><a href="${href}">${label}</a></li>`)}</ul></nav>
<form action="/search" method="get" role="search" aria-label="Site"><label class="visually-hidden" for="site-q">\
Search places, agencies and deployments</label><input id="site-q" name="q" type="search" \
placeholder="City, agency or ZIP" autocomplete="off"><button type="submit">Search</button></form>
</header>
<main id="content">
${crumbs}
${page.body}
</main>
<footer><p>Data: EFF Atlas of Surveillance, FBI Crime Data Explorer, US Census Bureau, Fight for the Future, \
DeFlock, US Conference of Mayors, Open States, Open Civic Data. Each dataset keeps its own date: see \
<a href="/about">about the data</a>. <a href="/changes">What changed</a> (<a href="/feeds/changes.atom">feed</a>) · \
<a href="/api">API documentation</a> · <a href="/api/v1/export?format=csv">download everything (CSV)</a>.</p></footer>
</body>
</html>`.value;
}
