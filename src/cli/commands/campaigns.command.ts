import { Command, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { readConfig } from '#src/config/config';
import type { DatabaseHandle } from '#src/storage/dialect';
import {
  campaignTallies,
  findCampaign,
  listCampaigns,
  optedInSupportersCsv,
  tallyOf,
} from '#src/features/campaigns/campaigns.repository';
import { CliError } from '../cli-error';

type WithDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => Promise<T>;

/** `campaigns …`: what organizers do from the command line. */
export function campaignsCommand(withDatabase: WithDatabase): Command {
  const command = new Command('campaigns').description(
    'list campaigns, turn delivery to officials on or off, deliver, export supporters',
  );

  command
    .command('list')
    .description('campaigns with their delivery mode and tallies, as JSON')
    .action(() =>
      withDatabase(async (handle) => {
        const [campaigns, tallies] = await Promise.all([listCampaigns(handle.db), campaignTallies(handle.db)]);
        const out = campaigns.map((c) => ({
          id: c.id,
          title: c.title,
          delivery: c.delivery_mode,
          per_target_per_hour: c.deliveries_per_target_per_hour,
          tallies: tallyOf(tallies, c.id),
        }));
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      }),
    );

  command
    .command('delivery')
    .description(
      'set how confirmed actions reach officials: off (nothing is sent), test (every digest to the organizer only) or live',
    )
    .argument('<campaign>', 'campaign id')
    .addArgument(new Command().createArgument('<mode>', 'off, test or live').choices(['off', 'test', 'live']))
    .option('--organizer <email>', 'where test digests go (required for test)')
    .option('--per-hour <n>', 'digests per official per hour (default: unchanged; 1 for a new campaign)')
    .action((id: string, mode: 'off' | 'test' | 'live', options: { organizer?: string; perHour?: string }) =>
      withDatabase(async (handle) => {
        const campaign = await findCampaign(handle.db, id);
        if (!campaign) throw new CliError(`no campaign has the id "${id}" (see: campaigns list)`);
        const { crypto } = (await import('#src/features/campaigns/campaign-services')).openCampaignServices(
          handle,
          readConfig(),
        );
        const update: Record<string, unknown> = { delivery_mode: mode };
        if (options.organizer !== undefined) {
          if (!z.email().safeParse(options.organizer).success)
            throw new CliError(`--organizer must be an email address (got "${options.organizer}")`);
          update.organizer_email_sealed = crypto.encrypt(options.organizer);
        }
        if (mode === 'test' && !campaign.organizer_email_sealed && options.organizer === undefined)
          throw new CliError('test mode sends every digest to the organizer: give --organizer EMAIL');
        if (options.perHour !== undefined) {
          const n = Number(options.perHour);
          if (!Number.isInteger(n) || n < 1 || n > 60)
            throw new CliError(`--per-hour must be a whole number from 1 to 60 (got "${options.perHour}")`);
          update.deliveries_per_target_per_hour = n;
        }
        await handle.db.updateTable('campaigns').set(update).where('id', '=', id).execute();
        process.stdout.write(`${id}: delivery ${mode}\n`);
      }),
    );

  command
    .command('deliver')
    .description('deliver what is due now (the servers also do this every 5 minutes), and print a report')
    .action(() =>
      withDatabase(async (handle) => {
        const services = (await import('#src/features/campaigns/campaign-services')).openCampaignServices(
          handle,
          readConfig(),
        );
        // The same leases as the servers' housekeeping: never at the same time as a server doing it.
        const { JobLeases } = await import('#src/jobs/job-leases');
        const { JOB_LEASE_MS } = await import('#src/jobs/housekeeping');
        const leases = new JobLeases(handle.db);
        const claimed: string[] = [];
        try {
          for (const job of ['campaign-sweep', 'deliveries']) {
            if (!(await leases.claim(job, JOB_LEASE_MS, Date.now(), { evenIfNotDue: true }))) {
              throw new CliError(
                `a server is running "${job}" right now (it holds the job's lease); try again in a minute`,
              );
            }
            claimed.push(job);
          }
          const swept = await services.actions.sweep();
          const report = await services.delivery.run();
          process.stdout.write(
            JSON.stringify({ ...report, reminded: swept.reminded, expired: swept.deleted }, null, 2) + '\n',
          );
        } finally {
          for (const job of claimed) await leases.release(job, 'run from the command line', Date.now());
          services.mailer.close();
        }
      }),
    );

  command
    .command('export-supporters')
    .description('CSV of the confirmed supporters of a campaign who asked to hear more (name, email)')
    .argument('<campaign>', 'campaign id')
    .addOption(new Option('--out <file>', 'write to a file instead of standard output'))
    .action((id: string, options: { out?: string }) =>
      withDatabase(async (handle) => {
        if (!(await findCampaign(handle.db, id)))
          throw new CliError(`no campaign has the id "${id}" (see: campaigns list)`);
        const { crypto } = (await import('#src/features/campaigns/campaign-services')).openCampaignServices(
          handle,
          readConfig(),
        );
        const lines = await optedInSupportersCsv(handle.db, crypto, id);
        const out = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
        for (const line of lines) out.write(`${line}\n`);
        if (options.out) {
          out.end();
          await finished(out);
          process.stderr.write(`wrote ${lines.length - 1} supporters to ${options.out}\n`);
        }
      }),
    );
  return command;
}
