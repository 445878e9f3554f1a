/**
 * What the import benchmark's data model would cost with integer surrogate keys: SQLite alone writing the
 * same records as `import.bench.ts` made (agencies, aliases, sources, deployments, events, citations, vendor
 * links, then revisions and origins), into tables shaped like ours but keyed by integers, set-based, beside
 * the `sqlite3 .import` floor measured in the same run. An experiment to inform a choice, not a product
 * path: it reads `bench/out/ours.db`, which `bench/import.bench.ts 100000` leaves behind.
 *
 *   npx tsx bench/import.bench.ts 100000 && npx tsx bench/integer-keys.bench.ts
 */
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';

const out = join(REPO_ROOT, 'bench/out');
const imported = join(out, 'ours.db');
const base = join(out, 'base.db');
const generated = join(out, 'atlas-GENERATED-100000.csv');
if (!existsSync(imported) || !existsSync(generated)) {
  process.stderr.write(
    'run `npx tsx bench/import.bench.ts 100000` first: this reads the database it leaves in bench/out/\n',
  );
  process.exit(2);
}

function fresh(path: string): Database.Database {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return new Database(path);
}

// The records the import created, with integer keys assigned in import order (not timed).
const staged = join(out, 'integer-keys-staged.db');
const st = fresh(staged);
st.exec(`attach '${imported}' as src; attach '${base}' as base;`);
st.exec(`
create table amap as select id, row_number() over (order by rowid) + 1000000 as n from src.agencies where id not in (select id from base.agencies);
create index amap_id on amap(id);
create table amap_all as select id, n from amap union all select id, rowid from base.agencies;
create index amap_all_id on amap_all(id);
create table dmap as select id, row_number() over (order by rowid) as n from src.deployments;
create index dmap_id on dmap(id);
create table smap as select id, row_number() over (order by rowid) as n from src.sources;
create index smap_id on smap(id);
create table vmap as select id, row_number() over (order by rowid) as n from src.vendors;
create index vmap_id on vmap(id);
create table s_agencies as select m.n as id, a.name, a.state_code, a.ori, a.agency_type, a.place_id, a.lat, a.lon, a.id as slug from src.agencies a join amap m on m.id = a.id order by m.n;
create table s_aliases as select m.n as agency, al.state_code, al.name_key from src.agency_aliases al join amap m on m.id = al.agency_id;
create table s_deployments as select d2.n as id, am.n as agency, d.state_code, d.technology_slug, d.programme, d.status, d.started_on, d.ended_on, d.last_verified_on, d.summary, d.primary_origin, d.id as slug from src.deployments d join dmap d2 on d2.id = d.id join amap_all am on am.id = d.agency_id order by d2.n;
create table s_events as select dm.n as deployment, e.status, e.occurred_on, sm.n as source, substr(e.id, instr(e.id, '@')+1) as row_key from src.deployment_events e join dmap dm on dm.id = e.deployment_id left join smap sm on sm.id = e.source_id;
create table s_citations as select dm.n as deployment, sm.n as source, c.cited_on from src.citations c join dmap dm on dm.id = c.subject_id join smap sm on sm.id = c.source_id;
create table s_links as select dm.n as deployment, vm.n as vendor from src.deployment_vendors l join dmap dm on dm.id = l.deployment_id join vmap vm on vm.id = l.vendor_id;
create table s_base_agencies as select a.rowid as id, a.name, a.state_code, a.ori, a.agency_type, a.place_id, a.lat, a.lon, a.id as slug from base.agencies a;
create table s_base_aliases as select a.rowid as agency, al.state_code, al.name_key from base.agency_aliases al join base.agencies a on a.id = al.agency_id;
create table s_sources as select sm.n as id, s.url, s.publisher, s.kind, s.id as slug from src.sources s join smap sm on sm.id = s.id;
create table s_revisions as
  select 'agency' as entity_type, id as entity_id from s_agencies
  union all select 'source', id from s_sources
  union all select 'deployment', id from s_deployments
  union all select 'deployment_event', rowid from s_events
  union all select 'citation', rowid from s_citations
  union all select 'deployment_vendor', rowid from s_links;
create table s_origins as
  select 'agency' as entity_type, m.n as entity_id, o.dataset, o.file, o.line, o.row_key from src.origins o join amap m on m.id = o.entity_id where o.entity_type = 'agency'
  union all select 'deployment', dm.n, o.dataset, o.file, o.line, o.row_key from src.origins o join dmap dm on dm.id = o.entity_id where o.entity_type = 'deployment';
`);
st.close();

function floorSeconds(): number {
  const floorDb = join(out, 'floor.db');
  rmSync(floorDb, { force: true });
  const started = performance.now();
  const result = spawnSync('sqlite3', [floorDb, '-cmd', '.mode csv', `.import ${generated} atlas`]);
  if (result.status !== 0) throw new Error(`sqlite3 failed: ${result.stderr.toString()}`);
  return (performance.now() - started) / 1000;
}

function integerKeyed(withSlugs: boolean): {
  records: number;
  seconds: number;
  historyRecords: number;
  historySeconds: number;
} {
  const db = fresh(join(out, 'integer-keys.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // With slugs, agencies, deployments and sources keep today's text ids as unique columns, for URLs.
  const slug = withSlugs ? 'unique' : '';
  db.exec(`
create table agencies (id integer primary key, name text, state_code text, ori text unique, agency_type text, place_id text, lat real, lon real, slug text ${slug});
create index agencies_state on agencies(state_code); create index agencies_place on agencies(place_id);
create table agency_aliases (agency_id integer, state_code text, name_key text, primary key (agency_id, name_key));
create index agency_aliases_lookup on agency_aliases(name_key, state_code);
create table sources (id integer primary key, url text unique, publisher text, kind text, slug text ${slug});
create table deployments (id integer primary key, agency_id integer, state_code text, technology_slug text, programme text, status text, started_on text, ended_on text, last_verified_on text, summary text, primary_origin text, slug text ${slug}, unique (agency_id, technology_slug, programme));
create index deployments_technology on deployments(technology_slug, id); create index deployments_state_technology on deployments(state_code, technology_slug, id);
create table deployment_events (id integer primary key, deployment_id integer, status text, occurred_on text, source_id integer, row_key text, unique (deployment_id, row_key));
create table citations (id integer primary key, deployment_id integer, source_id integer, cited_on text, unique (deployment_id, source_id));
create table revisions (id integer primary key, entity_type text, entity_id integer, action text, changes text, actor text, reason text, created_at text);
create index revisions_entity on revisions(entity_type, entity_id);
create table origins (id integer primary key, entity_type text, entity_id integer, dataset text, file text, line integer, row_key text, unique (entity_type, entity_id, dataset, row_key));
create table deployment_vendors (deployment_id integer, vendor_id integer, primary key (deployment_id, vendor_id));
create index deployment_vendors_vendor on deployment_vendors(vendor_id);
`);
  db.exec(`attach '${staged}' as st`);
  // The base's agencies are there before the import, as in the import benchmark (not timed).
  db.exec(
    'insert into agencies select * from st.s_base_agencies; insert or ignore into agency_aliases select * from st.s_base_aliases;',
  );
  let started = performance.now();
  db.exec('begin');
  let records = 0;
  for (const statement of [
    'insert into agencies select * from st.s_agencies',
    'insert or ignore into agency_aliases select * from st.s_aliases',
    'insert into sources select * from st.s_sources',
    'insert into deployments select * from st.s_deployments',
    'insert or ignore into deployment_events (deployment_id, status, occurred_on, source_id, row_key) select * from st.s_events',
    'insert or ignore into citations (deployment_id, source_id, cited_on) select * from st.s_citations',
    'insert or ignore into deployment_vendors select * from st.s_links',
  ])
    records += db.prepare(statement).run().changes;
  db.exec('commit');
  const seconds = (performance.now() - started) / 1000;
  started = performance.now();
  db.exec('begin');
  let historyRecords = db
    .prepare(
      `insert into revisions (entity_type, entity_id, action, changes, actor, reason, created_at)
     select entity_type, entity_id, 'create', '{}', 'import:0f8fad5b-d9cb-469f-a165-70867728950e', null, '2026-11-29T07:00:00.000Z' from st.s_revisions`,
    )
    .run().changes;
  historyRecords += db
    .prepare(
      'insert or ignore into origins (entity_type, entity_id, dataset, file, line, row_key) select * from st.s_origins',
    )
    .run().changes;
  db.exec('commit');
  const historySeconds = (performance.now() - started) / 1000;
  db.close();
  return { records, seconds, historyRecords, historySeconds };
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const floors: number[] = [];
const results: Array<ReturnType<typeof integerKeyed>> = [];
const withSlugs: Array<ReturnType<typeof integerKeyed>> = [];
for (let i = 0; i < runs; i++) {
  floors.push(floorSeconds());
  results.push(integerKeyed(false));
  withSlugs.push(integerKeyed(true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(floors);
const model = median(results.map((r) => r.seconds));
const withHistory = median(results.map((r) => r.seconds + r.historySeconds));
const slugged = median(withSlugs.map((r) => r.seconds + r.historySeconds));
const round = (x: number) => Math.round(x * 100) / 100;
process.stdout.write(
  JSON.stringify(
    {
      date: new Date().toISOString().slice(0, 10),
      file: 'GENERATED Atlas-format rows (100,000)',
      floor_sqlite3_import_seconds: round(floor),
      integer_keys_without_history: {
        records: results[0]!.records,
        seconds: round(model),
        ratio_to_floor: round(model / floor),
      },
      integer_keys_with_history: {
        records: results[0]!.records + results[0]!.historyRecords,
        seconds: round(withHistory),
        ratio_to_floor: round(withHistory / floor),
      },
      integer_keys_with_history_and_text_ids_for_urls: {
        what: "the same, with today's text ids kept as unique columns of agencies, deployments and sources",
        seconds: round(slugged),
        ratio_to_floor: round(slugged / floor),
      },
    },
    null,
    2,
  ) + '\n',
);
