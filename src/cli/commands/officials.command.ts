import { Command } from 'commander';
import type { DatabaseHandle } from '#src/storage/dialect';
import { officialQuery, toOfficialRecord } from '#src/features/officials/officials.repository';
import { CliError } from '../cli-error';

/** The command-line option of each field an official's record checks. */
const OPTION_OF: Record<string, string> = {
  place_id: 'place',
  website_url: 'website',
  source_url: 'source',
  verified_on: 'verified-on',
};

type WithDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => Promise<T>;

interface OfficialOptions {
  place?: string;
  role?: string;
  name?: string;
  email?: string;
  phone?: string;
  website?: string;
  source?: string;
  verifiedOn?: string;
}

function withFields(command: Command): Command {
  return command
    .option('--place <id>', 'place id, e.g. place-2562535 (see /search or the place page)')
    .option('--role <role>', 'mayor, council member or police chief')
    .option('--name <name>', 'full name')
    .option('--email <email>', 'public office email')
    .option('--phone <phone>', 'public office phone')
    .option('--website <url>', 'office web page')
    .option('--source <url>', 'where you checked these details (required)')
    .option('--verified-on <date>', 'the day you checked them, YYYY-MM-DD (default: today)');
}

/** `officials …`: the roster of mayors, council members and police chiefs, kept by operators. */
export function officialsCommand(withDatabase: WithDatabase): Command {
  const command = new Command('officials').description(
    'add and edit officials in the roster (every change is kept as a revision)',
  );
  const save = (id: string | undefined, options: OfficialOptions) =>
    withDatabase(async (handle) => {
      const current = id ? await officialQuery(handle.db).where('o.id', '=', id).executeTakeFirst() : undefined;
      if (id && !current) throw new CliError(`no official has the id "${id}"`);
      const base = current ? toOfficialRecord(current) : null;
      const input = {
        place_id: options.place ?? base?.place?.id ?? '',
        role: options.role ?? base?.role ?? '',
        name: options.name ?? base?.name ?? '',
        email: options.email ?? base?.email ?? '',
        phone: options.phone ?? base?.phone ?? '',
        website_url: options.website ?? base?.website_url ?? '',
        source_url: options.source ?? base?.source_url ?? '',
        verified_on: options.verifiedOn ?? new Date().toISOString().slice(0, 10),
      };
      const { OfficialInputError, saveOfficial } = await import('#src/features/officials/officials.service');
      try {
        const saved = await saveOfficial(handle.db, input, `cli:${process.env.USER ?? 'operator'}`, id);
        process.stdout.write(`${saved.created ? 'added' : 'updated'} ${saved.id}\n`);
      } catch (error) {
        if (error instanceof OfficialInputError)
          throw new CliError(
            `--${OPTION_OF[error.field] ?? error.field} ${error.message.slice(error.field.length + 1)}`,
          );
        throw error;
      }
    });
  withFields(command.command('add').description('add an official')).action((options: OfficialOptions) =>
    save(undefined, options),
  );
  withFields(
    command
      .command('edit')
      .description(
        'change an official; fields not given stay as they are, the verified date becomes today unless given',
      )
      .argument('<id>', 'official id'),
  ).action((id: string, options: OfficialOptions) => save(id, options));
  return command;
}
