const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string | number | null | undefined): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `
:root{color-scheme:light;--ink:#1b1b1f;--muted:#4a4a55;--line:#d6d6de;--accent:#8a1c1c;--bg:#fbfbfd}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}header,main,footer{max-width:64rem;margin:0 auto;padding:1rem}
header{display:flex;gap:1rem;align-items:baseline;border-bottom:1px solid var(--line)}header a{font-weight:700;text-decoration:none;font-size:1.25rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:1rem;margin:1rem 0;padding:0;list-style:none}
.figures li{border:1px solid var(--line);border-radius:.5rem;padding:1rem;background:#fff}.figures strong{display:block;font-size:2rem;line-height:1.1}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.date{white-space:nowrap}
.note{color:var(--muted);font-size:.95rem}footer{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
`;

/** The site's page shell: no scripts, fonts or requests to other origins. */
export function renderPage(page: { title: string; body: string; description?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Counterwatch</title>
<meta name="description" content="${escapeHtml(page.description ?? 'Which US police agencies use which surveillance technology, since when, and who says so.')}">
<style>${STYLE}</style>
</head>
<body>
<header><a href="/">Counterwatch</a><span class="note">police surveillance partnerships, with the evidence</span></header>
<main>
${page.body}
</main>
<footer><p>Data: EFF Atlas of Surveillance, FBI Crime Data Explorer, US Census Bureau, Fight for the Future, DeFlock, US Conference of Mayors. Each dataset keeps its own date; see the figures above. <a href="/api">API documentation</a> · <a href="/api/v1/export?format=csv">download everything (CSV)</a>.</p></footer>
</body>
</html>`;
}
