import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { listDataSources } from '#src/sync/data-sources.repository';
import { PLACEMENT_TOLERANCE_KM } from '#src/domain/placement';
import { checkPlacement, type PlacementReport } from '#src/features/agencies/placement-check';
import { readStats } from '#src/features/stats/stats.repository';
import { readDatasetVersion } from '#src/storage/dataset-version';
import { html, join, renderPage } from '#src/ui/html';
import { formatDay, formatNumber, link } from '#src/ui/page-parts';

/** Counts about dates and matching that the page states, read from the data. */
async function readDateCounts(db: Kysely<Database>) {
  const n = (rows: Array<{ n: unknown }>) => Number(rows[0]?.n ?? 0);
  const [deployments, started, byPrecision, documentedOnly, matched, atlasAgencies, merges] = await Promise.all([
    db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .execute()
      .then(n),
    db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('started_on', 'is not', null)
      .execute()
      .then(n),
    db
      .selectFrom('deployments')
      .select(['first_documented_precision as p', (eb) => eb.fn.countAll().as('n')])
      .groupBy('first_documented_precision')
      .execute(),
    db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('started_on', 'is', null)
      .where('first_documented_on', 'is not', null)
      .execute()
      .then(n),
    db
      .selectFrom('agencies')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('ori', 'is not', null)
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('deployments as d').select('d.id').whereRef('d.agency_id', '=', 'agencies.id')),
      )
      .execute()
      .then(n),
    db
      .selectFrom('agencies')
      .select((eb) => eb.fn.countAll().as('n'))
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('deployments as d').select('d.id').whereRef('d.agency_id', '=', 'agencies.id')),
      )
      .execute()
      .then(n),
    db
      .selectFrom('redirects')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('entity_type', '=', 'agency')
      .execute()
      .then(n),
  ]);
  const precision = Object.fromEntries(byPrecision.map((r) => [r.p ?? 'none', Number(r.n)]));
  return { deployments, started, precision, documentedOnly, matched, withDeployments: atlasAgencies, merges };
}

/** Where the data comes from, its dates, licences and credit, how it is joined and placed, and what it cannot tell. */
export function registerAboutPage(app: FastifyInstance, db: Kysely<Database>): void {
  // The placement check reads every agency: it is run once per version of the data.
  let placement: { version: string; report: Promise<PlacementReport> } | null = null;
  const placementReport = async () => {
    const version = await readDatasetVersion(db);
    if (placement?.version !== version) placement = { version, report: checkPlacement(db) };
    return placement.report;
  };

  app.get('/about', { schema: { hide: true } }, async (_request, reply) => {
    const [stats, dates, report, sources, runs] = await Promise.all([
      readStats(db),
      readDateCounts(db),
      placementReport(),
      listDataSources(db),
      db.selectFrom('import_runs').select(['id', 'rows_read']).execute(),
    ]);
    const rowsRead = new Map(runs.map((r) => [r.id, Number(r.rows_read)]));
    const rows = join(
      sources.map((d) => {
        const read = d.last_run_id ? rowsRead.get(d.last_run_id) : undefined;
        const checked = d.checked_at
          ? html`${d.last_outcome ?? ''} <span class="note">(${d.checked_at.slice(0, 10)})</span>`
          : html`<span class="note">never</span>`;
        return html`<tr id="source-${d.name}"><th scope="row">${d.title}<br><span \
class="note">${d.name}</span></th><td>${d.licence}</td><td \
class="date">${formatDay(d.as_of, 'not loaded')}</td><td>${checked}${
          d.schedule_hours
            ? html`<br><span \
class="note">every ${d.schedule_hours} h</span>`
            : ''
        }</td><td \
class="n">${read === undefined ? 'not loaded' : formatNumber(read)}</td></tr>`;
      }),
      '\n',
    );
    const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
    const inDoubt = report.inDoubt.length
      ? html`<ul>${report.inDoubt.map(
          (f) => html`<li>${link(`/agencies/${f.agency}`, f.name)} \
(${f.state}): ${f.problem}</li>`,
        )}</ul>`
      : html`<p class="note">None.</p>`;
    const body = html`
<h1>About the data</h1>
<p>Counterwatch joins public datasets about police surveillance into one model: <em>which agency uses which \
technology, since when, and who says so</em>, and which places ban or oversee it. Every fact on this site links to the \
dataset row and the sources it came from.</p>
<h2>Where it comes from</h2>
<div class="table-wrap" id="datasets"><table><caption>Datasets (sources), with the date each was current and its last \
sync</caption>
<thead><tr><th scope="col">Dataset</th><th scope="col">Licence and credit</th><th scope="col">As of</th><th \
scope="col">Last checked</th><th scope="col" class="n">Rows read</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p>Each is a <em>source</em> that syncs: <code>npm run cli -- sync NAME</code> fetches its current version (over HTTP \
with the ETag and Last-Modified of the last fetch), keeps the raw file with its SHA-256, and imports it only if it \
changed. A row a source listed before and no longer lists is not deleted: its deployment is marked "no longer listed", \
with the date. Every change is on <a href="/changes">the list of changes</a>, with a feed.</p>
<p>Also used: state and county outlines from the US Census Bureau's 2017 cartographic boundary files, as packaged by \
Mike Bostock's <code>us-atlas</code> (ISC licence), for the map and to tell which county a point lies in; ZIP code \
centres from the <code>zipcodes</code> package (federalgovernmentzipcodes.us). The map is drawn with MapLibre GL JS \
(BSD licence). Everything is served from this site: no page loads anything from another one.</p>

<h2 id="dates">What the dates mean</h2>
<ul>
<li><strong>Every date keeps its precision.</strong> A source that gives only a year or a month is shown as "2018" or \
"Aug 2026", never as the first of the month. ${formatNumber(dates.precision.year ?? 0)} deployments are first \
documented only to the year and ${formatNumber(dates.precision.month ?? 0)} only to the month.</li>
<li><strong>Started</strong> is when a source says use began: Ring's own "Active Date" of a partnership, a contract \
start, a go-live date. It is known for ${formatNumber(dates.started)} of ${formatNumber(dates.deployments)} \
deployments. A start from the vendor's or the government's own record is never replaced by a weaker source's, whatever \
is imported later.</li>
<li><strong>First documented</strong> is the date of the earliest document or dataset that shows the deployment: an \
article, a budget, a records request. ${formatNumber(dates.documentedOnly)} deployments have only this: their \
documents say the technology was in use, not since when.</li>
<li><strong>Last seen</strong> is the as-of date of the newest source that showed the deployment in its status. Every \
status on this site is shown with it ("active as of Oct 7, 2020"): it is the status then, not a claim about today.</li>
<li><strong>"Known in use on a day"</strong> (the map's timeline and <code>active_on</code>) counts a deployment from \
its start, or without one from its earliest evidence of use, taken at the end of the period a coarse date names \
("2018" counts from Dec 31, 2018), until its end. When the day asked is later than the data behind the answer, the \
answer says so: the API adds <code>as_of</code> and a <code>warning</code>, and pages show a note.</li>
<li><strong>Imports know their as-of date</strong>: from the bundled datasets' list, a date in the file's name, or \
<code>--as-of</code>; without one an import is refused and writes nothing. A file older than one already imported adds \
its sightings but changes nothing a newer version of the same dataset stated, and never moves a "last seen" date \
back.</li>
<li><strong>Context</strong>: events that change what a status means are shown, dated and cited, beside it. Ring ended \
police requests for footage through its Neighbors app in January 2024, and brought them back through Axon in 2025: see \
<a href="/technologies/ring-neighbors">Ring/Neighbors</a>.</li>
</ul>

<h2 id="matching">How agencies are matched</h2>
<ul>
<li>A source row is matched to an agency by its FBI ORI; else by name within its county, in the spellings real data \
uses ("Metro" and "Metropolitan", "Division of Police", "Township" and "Twp", "Town of X" and "X Town", a leading \
"The", the FBI's ", X County" suffix, "Miami-Dade Police Department" for "Miami-Dade County Police Department"); else \
as the one police department named after its town (a misspelt town counts: "Lafaytette" is Lafayette), or the one \
sheriff of its county. A same-named agency in another county is never taken.</li>
<li>${formatNumber(dates.matched)} of the ${formatNumber(dates.withDeployments)} agencies with deployments carry an \
FBI ORI. Sheriffs and county police belong to their county; the FBI's agencies are linked to a same-named town only \
within their own county.</li>
<li>Agencies found to be one are merged by an editor (<code>agencies merge FROM INTO</code>): the deployments move, a \
revision is kept, and the old address redirects to the agency that remains (${formatNumber(dates.merges)} so far).</li>
<li>Vendors are one record per company, with the spellings it is known by; "Others" and an agency's own name are not \
vendors.</li>
</ul>

<h2 id="placement">Where agencies are drawn</h2>
<ul>
<li>A city or town agency is drawn at its town's point (Census and USGS); a sheriff or county agency at its county's \
internal point (Census); any other agency (state police, campuses, transit) at the FBI's point when that point lies \
within ${PLACEMENT_TOLERANCE_KM} km of its town or inside its county, else at its town's or county's point. A town's \
point that lies outside the agency's county (the places list gave some towns a namesake's point) gives way to the \
FBI's point when that one lies inside it.</li>
<li>Every placed agency is checked against its place and county (<code>npm run cli -- \
check</code>): ${formatNumber(report.placed)} of ${formatNumber(report.agencies)} agencies are \
placed; ${formatNumber(report.cityAgencies.far)} of ${formatNumber(report.cityAgencies.checked)} city and town \
agencies (${percent(report.cityAgencies.share)}) and ${formatNumber(report.countyAgencies.far)} \
of ${formatNumber(report.countyAgencies.checked)} county agencies (${percent(report.countyAgencies.share)}) are drawn \
more than ${PLACEMENT_TOLERANCE_KM} km from their town's or county's \
point; ${formatNumber(report.disagreements.length)} agencies disagree with their place or county in some other way \
(their point or town lies outside the counties the FBI gives, often by a few hundred metres at a county line); the \
town's point of ${formatNumber(report.townPointInDoubt.length)} city and town agencies lies outside the town's own \
county, so they are drawn at the FBI's or the county's point instead.</li>
<li><strong>A row whose town and county belong to another state than the one it is filed under is left off the \
map</strong> and not attached to any agency of either state: it keeps the state its source gives, is marked as in \
doubt on its pages, and is listed here (${formatNumber(report.inDoubt.length)}):</li>
</ul>
${inDoubt}

<h2 id="laws">Laws</h2>
<ul>
<li>A law's status comes from its dated steps (introduced, passed, in effect, expired, repealed, failed), each cited; \
a law known only from a list shows the list's word and date, marked as such.</li>
<li>Each law keeps the body that made it (a city, county, state, transit or school district) and whom it binds. It is \
listed under a place only where it applies: a state's law across the state, a county's in the county and its towns \
(binding county agencies, not a town's own police), a town's in the town. A transit district's rule (BART) is no \
state's law, and a law for schools or businesses says so wherever it is listed.</li>
</ul>

<h2 id="reports">Reports from residents, decided in the open</h2>
<ul>
<li>Anyone can <a href="/contribute">report a change or an error</a>: which agency and technology, what happened \
(started, ended, cancelled, rejected, a vote scheduled, a contract renewed, or a correction), when, and at least one \
web address that shows it. Every record's page links to the form.</li>
<li>Nothing in a report is published until a moderator accepts it. Accepting adds its evidence to the record \
(dated, of "reported" standing: a vendor's or a government's own dated record still decides a start date), makes \
its addresses cited sources, and adds an entry to the record's public history: "reported by a resident on DATE, \
accepted by a moderator on DATE", with the evidence.</li>
<li>A moderator may also correct a report before accepting it, reject it with a reason, or mark it as repeating \
another. Every decision is kept. Rejected reports stay private; a reporter who left (and confirmed) an email is \
told the decision and its reason. Their address is kept encrypted and is never shown.</li>
<li>Pages of places, agencies and of a technology in a state have "Watch for changes": one email on days when \
something there changed, with a link that stops them and deletes the address. How many people watch a place is \
public; who is not.</li>
</ul>

<h2>What it cannot tell you</h2>
<ul>
<li><strong>Absent from this map does not mean not used.</strong> The datasets hold what reporters, researchers and \
agencies have made public.</li>
<li>The data is old in places: Ring partnerships end in mid-2020, when Ring stopped publishing them; the mayors list \
is from October 2020; Fight for the Future's face-recognition laws from May 2021. Every status says when it was last \
seen.</li>
<li>Rows are kept as their sources have them, not corrected by hand: a row that contradicts itself is flagged and left \
unplaced, not moved. Corrections come as residents' reports with evidence, each one marked as such in the \
history.</li>
<li>Every change is kept as a revision, with the import or person that made it (${formatNumber(stats.revisions)} so \
far), and the public <a href="/changes">list of changes</a> says what changed, when, and on what evidence.</li>
</ul>
<h2>Use it</h2>
<p>All of it is open: the <a href="/api">API</a> answers JSON, CSV and GeoJSON, and <a \
href="/api/v1/export?format=json">the full export</a> holds every record with its sources. Credit the original \
compilers above when you publish.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'About the data',
        description:
          'Where Counterwatch data comes from, what its dates mean, how agencies are matched and placed, and its limits.',
        body,
      }),
    );
    return reply;
  });
}
