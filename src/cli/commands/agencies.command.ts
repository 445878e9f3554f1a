import { Command } from 'commander';
import type { DatabaseHandle } from '#src/storage/dialect';
import { mergeAgencies, MergeError } from '#src/features/agencies/merge-agencies';
import { checkPlacement, type PlacementReport } from '#src/features/agencies/placement-check';
import { CliError } from '../cli-error';

type WithDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => Promise<T>;

/** `agencies merge FROM INTO`: one record per agency. */
export function agenciesCommand(withDatabase: WithDatabase): Command {
  const command = new Command('agencies').description('keep one record per agency');
  command
    .command('merge')
    .description(
      'merge agency FROM into INTO: its deployments, names and origins move, and its id redirects (301) to INTO',
    )
    .argument('<from>', 'the id of the agency that goes away, e.g. in-indianapolis-metropolitan-police-department')
    .argument('<into>', 'the id of the agency that stays')
    .option('--reason <text>', 'why, kept with the revisions', 'the same agency under two records')
    .action((from: string, into: string, options: { reason: string }) =>
      withDatabase(async (handle) => {
        try {
          const result = await mergeAgencies(handle.db, from, into, { actor: 'user:cli', reason: options.reason });
          process.stdout.write(
            `merged ${result.from} into ${result.into}: ${result.moved} deployment(s) moved, ${result.combined} \
combined with ${result.into}'s own; /agencies/${result.from} now redirects\n`,
          );
        } catch (error) {
          if (error instanceof MergeError) throw new CliError(`${error.message}; nothing was changed`);
          throw error;
        }
      }),
    );
  return command;
}

/** `check`: how well agencies are placed, for the data's users to see. */
export function checkCommand(withDatabase: WithDatabase): Command {
  return new Command('check')
    .description(
      'check every placed agency against its town and county, and list those that disagree or are left unplaced',
    )
    .option('--json', 'print the whole report as JSON')
    .option('--max <n>', 'list at most this many findings of each kind', (v) => Number(v), 20)
    .action((options: { json?: boolean; max: number }) =>
      withDatabase(async (handle) => {
        const report = await checkPlacement(handle.db);
        process.stdout.write(
          options.json ? JSON.stringify(report, null, 2) + '\n' : describePlacement(report, options.max),
        );
      }),
    );
}

/** The report in lines a person reads. */
export function describePlacement(report: PlacementReport, max: number): string {
  const percent = (n: number) => `${(n * 100).toFixed(2)}%`;
  const lines = [
    `${report.placed} of ${report.agencies} agencies are placed on the map.`,
    `City and town agencies: ${report.cityAgencies.far} of ${report.cityAgencies.checked} \
(${percent(report.cityAgencies.share)}) are drawn more than ${report.toleranceKm} km from their town's point \
(${report.cityAgencies.deploymentsFar} of ${report.cityAgencies.deploymentsChecked} deployments).`,
    `County agencies: ${report.countyAgencies.far} of ${report.countyAgencies.checked} \
(${percent(report.countyAgencies.share)}) are drawn more than ${report.toleranceKm} km from their county's internal \
point (${report.countyAgencies.deploymentsFar} of ${report.countyAgencies.deploymentsChecked} deployments).`,
    `Disagreements with their place or county: ${report.disagreements.length}.`,
    ...report.disagreements.slice(0, max).map((f) => `  ${f.agency} (${f.deployments} deployments): ${f.problem}`),
    ...(report.disagreements.length > max
      ? [`  … and ${report.disagreements.length - max} more (--json lists all)`]
      : []),
    `City and town agencies whose town's point lies outside the town's county (not checked against \
it): ${report.townPointInDoubt.length}.`,
    ...report.townPointInDoubt.slice(0, max).map((f) => `  ${f.agency} (${f.deployments} deployments): ${f.problem}`),
    ...(report.townPointInDoubt.length > max
      ? [`  … and ${report.townPointInDoubt.length - max} more (--json lists all)`]
      : []),
    `Left unplaced because their row contradicts its state: ${report.inDoubt.length}.`,
    ...report.inDoubt.slice(0, max).map((f) => `  ${f.agency} (${f.deployments} deployments): ${f.problem}`),
    ...(report.inDoubt.length > max ? [`  … and ${report.inDoubt.length - max} more (--json lists all)`] : []),
  ];
  return lines.join('\n') + '\n';
}
