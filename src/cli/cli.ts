import { Command, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { readConfig } from '#src/config/config';
import { openDatabase, DatabaseUrlError, type DatabaseHandle } from '#src/storage/dialect';
import { prepareDatabase } from '#src/bootstrap/prepare-database';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '#src/features/export/export.service';
import { readStats } from '#src/features/stats/stats.repository';
import { importCommand } from './commands/import.command';
import { campaignsCommand } from './commands/campaigns.command';
import { operatorsCommand } from './commands/operators.command';
import { officialsCommand } from './commands/officials.command';
import { agenciesCommand, checkCommand } from './commands/agencies.command';
import { technologiesCommand } from './commands/technologies.command';
import { sourcesCommand, syncCommand } from './commands/sync.command';
import { CliError } from './cli-error';

async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = openDatabase(readConfig().databaseUrl);
  try {
    await prepareDatabase(handle);
    return await work(handle);
  } finally {
    await handle.close();
  }
}

export function buildCli(): Command {
  const program = new Command('counterwatch')
    .description(
      'Counterwatch: police surveillance partnerships, with the evidence.\nThe database is DATABASE_URL (sqlite:PATH or postgres://…); default sqlite:var/counterwatch.db.',
    )
    .showHelpAfterError();

  program
    .command('migrate')
    .description('create or update the database schema')
    .action(() =>
      withDatabase(async (handle) => {
        const applied = await prepareDatabase(handle);
        process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'the schema is up to date\n');
      }),
    );

  program
    .command('import')
    .description('import a dataset file; importing the same file again changes nothing')
    .argument('<kind>', `one of: ${[...IMPORT_KINDS.keys()].join(', ')}`)
    .argument('<file>', 'the file to read')
    .option(
      '--as-of <date>',
      'the date the data was current: YYYY-MM-DD (or YYYY-MM, YYYY); required unless the file name holds a date such as 20201007',
    )
    .option('--json', 'print the summary with every rejected row as JSON')
    .addHelpText(
      'after',
      '\nKinds:\n' + [...IMPORT_KINDS.values()].map((k) => `  ${k.name.padEnd(20)} ${k.description}`).join('\n'),
    )
    .action((kind: string, file: string, options: { asOf?: string; json?: boolean }) =>
      withDatabase(async (handle) => {
        await importCommand(handle, kind, file, options);
      }),
    );

  program
    .command('export')
    .description(
      'write the full dataset: JSON (deployments, policies, officials, technology events), CSV or GeoJSON (deployments)',
    )
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('json'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action((options: { format: ExportFormat; out?: string }) =>
      withDatabase(async (handle) => {
        const out = options.out ? createWriteStream(options.out) : process.stdout;
        const { records } = await writeExport(handle.db, options.format, out);
        if (options.out) {
          out.end();
          await finished(out);
          process.stderr.write(`wrote ${records} records to ${options.out}\n`);
        }
      }),
    );

  program
    .command('stats')
    .description('print counts of the dataset as JSON')
    .action(() =>
      withDatabase(async (handle) => {
        process.stdout.write(JSON.stringify(await readStats(handle.db), null, 2) + '\n');
      }),
    );

  program.addCommand(campaignsCommand(withDatabase));
  program.addCommand(operatorsCommand(withDatabase));
  program.addCommand(officialsCommand(withDatabase));
  program.addCommand(agenciesCommand(withDatabase));
  program.addCommand(checkCommand(withDatabase));
  program.addCommand(technologiesCommand(withDatabase));
  program.addCommand(syncCommand(withDatabase));
  program.addCommand(sourcesCommand(withDatabase));

  program
    .command('serve')
    .description(
      'start the web app (HOST, PORT; loads the bundled data into an empty database unless LOAD_BUNDLED_DATA=false)',
    )
    .action(async () => (await import('./commands/serve.command')).serve());

  return program;
}

/** Runs the CLI; user mistakes print one line and exit 2, never a stack trace. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CliError || error instanceof DatabaseUrlError || (error as Error).name === 'ConfigError') {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(error instanceof CliError ? error.exitCode : 2);
    }
    throw error;
  }
}
