import { Command } from 'commander';
import type { DatabaseHandle } from '#src/storage/dialect';
import { listTechnologies } from '#src/features/technologies/technologies.repository';
import {
  mergeTechnologies,
  renameTechnology,
  reviewTechnology,
  TechnologyEditError,
} from '#src/features/technologies/manage-technologies';
import { CliError } from '../cli-error';

type WithDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => Promise<T>;

const ACTOR = 'user:cli';

async function edit<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TechnologyEditError) throw new CliError(`${error.message}; nothing was changed`);
    throw error;
  }
}

/** `technologies list|rename|merge|review`: the vocabulary is data, and editors keep it. */
export function technologiesCommand(withDatabase: WithDatabase): Command {
  const command = new Command('technologies').description(
    'list, rename, merge and review the technologies (imports add the ones they have not seen, unreviewed)',
  );
  command
    .command('list')
    .description('every technology: slug, reviewed or not, deployments, name and other spellings')
    .option('--unreviewed', 'only those no editor has reviewed')
    .option('--json', 'print them as JSON')
    .action((options: { unreviewed?: boolean; json?: boolean }) =>
      withDatabase(async (handle) => {
        const technologies = (await listTechnologies(handle.db)).filter((t) => !options.unreviewed || !t.reviewed);
        if (options.json) {
          process.stdout.write(
            JSON.stringify(
              technologies.map(({ counts, ...t }) => ({ ...t, deployments: counts.deployments })),
              null,
              2,
            ) + '\n',
          );
          return;
        }
        if (technologies.length === 0) {
          process.stdout.write(options.unreviewed ? 'every technology has been reviewed\n' : 'no technologies\n');
          return;
        }
        const width = Math.max(...technologies.map((t) => t.slug.length));
        for (const t of technologies) {
          const also = t.synonyms.length > 0 ? ` (also: ${t.synonyms.join('; ')})` : '';
          process.stdout.write(
            `${t.slug.padEnd(width)}  ${t.reviewed ? 'reviewed  ' : 'UNREVIEWED'} \
 ${String(t.counts.deployments).padStart(5)}  ${t.name}${also}\n`,
          );
        }
      }),
    );
  command
    .command('rename')
    .description('give a technology a new name; the old one stays a synonym that imports still read')
    .argument('<slug>', 'e.g. camera-network')
    .argument('<name>', 'the new name, e.g. "Camera networks"')
    .option('--reason <text>', 'why, kept with the revision')
    .action((slug: string, name: string, options: { reason?: string }) =>
      withDatabase((handle) =>
        edit(async () => {
          await renameTechnology(handle.db, slug, name, { actor: ACTOR, reason: options.reason });
          process.stdout.write(`renamed ${slug} to "${name}"\n`);
        }),
      ),
    );
  command
    .command('merge')
    .description(
      'merge technology FROM into INTO: its deployments, laws and events move, its names become synonyms, its slug redirects',
    )
    .argument('<from>', 'the slug that goes away, e.g. camera-networks')
    .argument('<into>', 'the slug that stays')
    .option('--reason <text>', 'why, kept with the revisions', 'the same technology under two names')
    .action((from: string, into: string, options: { reason: string }) =>
      withDatabase((handle) =>
        edit(async () => {
          const result = await mergeTechnologies(handle.db, from, into, { actor: ACTOR, reason: options.reason });
          process.stdout.write(
            `merged ${from} into ${into}: ${result.moved} deployment(s) moved, ${result.combined} combined \
with ${into}'s own; /technologies/${from} now redirects\n`,
          );
        }),
      ),
    );
  command
    .command('review')
    .description('mark a technology reviewed, optionally with a checked name and description')
    .argument('<slug>')
    .option('--name <name>', 'the name to keep')
    .option('--description <text>', 'what it is, in a sentence')
    .option('--reason <text>', 'why, kept with the revision')
    .action((slug: string, options: { name?: string; description?: string; reason?: string }) =>
      withDatabase((handle) =>
        edit(async () => {
          await reviewTechnology(
            handle.db,
            slug,
            { name: options.name, description: options.description },
            { actor: ACTOR, reason: options.reason },
          );
          process.stdout.write(`${slug} is reviewed\n`);
        }),
      ),
    );
  return command;
}
