import { Command } from 'commander';
import type { DatabaseHandle } from '#src/storage/dialect';
import { readConfig } from '#src/config/config';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { listDataSources } from '#src/sync/data-sources.repository';
import { SyncError, syncSource } from '#src/sync/sync.service';
import { CliError } from '../cli-error';

type WithDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => Promise<T>;

function hours(value: string): number | null {
  if (value === 'off') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 24 * 365)
    throw new CliError(`"${value}" is not a number of hours from 1 to 8760, or off`);
  return n;
}

/** `sync URL_OR_NAME [--kind KIND] [--as-of DATE]`: fetch a source's current version and import it if it changed. */
export function syncCommand(withDatabase: WithDatabase): Command {
  return new Command('sync')
    .description(
      'fetch a source (a registered name, or an http(s) URL or file with --kind) and import it if it changed; an unchanged source writes nothing',
    )
    .argument('<source>', 'a source name (npm run cli -- sources list), or an http(s) URL or a path to add one')
    .option('--kind <kind>', `the import kind of a new source: ${[...IMPORT_KINDS.keys()].join(', ')}`)
    .option(
      '--as-of <date>',
      "the date the data was current (YYYY-MM-DD, YYYY-MM or YYYY); otherwise the source's rule: a date in the file name, else the Last-Modified day",
    )
    .option('--name <name>', 'a name for a new source (default: from its file name)')
    .option('--title <text>', 'a title for a new source, shown in the change history')
    .option('--licence <text>', "a new source's licence and credit")
    .option('--every <hours>', 'for a new source: sync it every this many hours while the server runs (default: off)')
    .option('--json', 'print the result as JSON')
    .action(
      (
        target: string,
        options: {
          kind?: string;
          asOf?: string;
          name?: string;
          title?: string;
          licence?: string;
          every?: string;
          json?: boolean;
        },
      ) =>
        withDatabase(async (handle) => {
          const config = readConfig();
          try {
            const result = await syncSource(
              handle.db,
              target,
              { dataDir: config.dataDir, sourcesDir: config.sourcesDir },
              {
                kind: options.kind,
                asOf: options.asOf,
                name: options.name,
                title: options.title,
                licence: options.licence,
                everyHours: options.every === undefined ? undefined : hours(options.every),
              },
            );
            if (options.json) {
              process.stdout.write(JSON.stringify(result, null, 2) + '\n');
              return;
            }
            const s = result.summary;
            const said =
              result.outcome === 'not-modified'
                ? 'not modified since the last sync (the server said so); nothing was written'
                : result.outcome === 'unchanged'
                  ? `the same file as last time (SHA-256 ${result.sha256!.slice(0, 12)}…); nothing was written`
                  : `imported as of ${result.asOf}: read ${s!.read}, created ${s!.created}, updated ${s!.updated}, \
unchanged ${s!.unchanged}, rejected ${s!.rejected}, no longer listed ${s!.unlisted}\nkept ${result.rawPath} \
(SHA-256 ${result.sha256})`;
            process.stdout.write(`${result.source}: ${said}\n`);
            for (const r of s?.rejections.slice(0, 20) ?? [])
              process.stdout.write(`  line ${r.line}: ${r.field}: ${r.reason}\n`);
          } catch (error) {
            if (error instanceof SyncError) throw new CliError(error.message);
            throw error;
          }
        }),
    );
}

/** `sources list|schedule`: the datasets the app knows and syncs. */
export function sourcesCommand(withDatabase: WithDatabase): Command {
  const command = new Command('sources').description(
    'the datasets the app knows: bundled ones and those added by sync',
  );
  command
    .command('list')
    .description('every source: name, kind, as-of date, last check and its outcome, schedule')
    .option('--json', 'print them as JSON')
    .action((options: { json?: boolean }) =>
      withDatabase(async (handle) => {
        const sources = await listDataSources(handle.db);
        if (options.json) {
          process.stdout.write(JSON.stringify(sources, null, 2) + '\n');
          return;
        }
        for (const s of sources) {
          process.stdout.write(
            `${s.name}  ${s.kind}  as of ${s.as_of ?? 'never loaded'}  ${
              s.schedule_hours
                ? `every ${s.schedule_hours} \
h`
                : 'by hand'
            }  last: ${s.last_outcome ?? 'never synced'}${
              s.checked_at
                ? ` \
(${s.checked_at.slice(0, 16).replace('T', ' ')})`
                : ''
            }\n  ${s.location}\n`,
          );
        }
      }),
    );
  command
    .command('schedule')
    .description('sync a source every HOURS while the server runs, or "off" (the default)')
    .argument('<name>')
    .argument('<hours>', 'a whole number of hours, or off')
    .action((name: string, every: string) =>
      withDatabase(async (handle) => {
        const value = hours(every);
        const updated = await handle.db
          .updateTable('data_sources')
          .set({ schedule_hours: value })
          .where('name', '=', name)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0)
          throw new CliError(`no source is named "${name}" (npm run cli -- sources list)`);
        process.stdout.write(
          value === null
            ? `${name} is synced by hand only\n`
            : `${name} is synced every ${value} h while the server runs\n`,
        );
      }),
    );
  return command;
}
