import { readConfig, type Config } from '#src/config/config';
import { campaignJobs, openCampaignServices } from '#src/features/campaigns/campaign-services';
import { watcherJobs } from '#src/features/watchers/watchers.service';
import { reportJobs } from '#src/features/reports/reports.service';
import { openDatabase } from '#src/storage/dialect';
import { prepareDatabase } from '#src/bootstrap/prepare-database';
import { loadBundledData } from '#src/bootstrap/load-bundled-data';
import { buildApp } from '#src/app';
import { sourceSyncJob } from '#src/sync/sync-schedule';
import { Housekeeping } from '#src/jobs/housekeeping';
import { JobLeases } from '#src/jobs/job-leases';
import { SharedCounters } from '#src/http/shared-counters';
import { SpentChallengesTable } from '#src/security/spent-challenges';

/** Opens and migrates the database, loads the bundled data on a first start, and serves until a signal. */
export async function serve(config: Config = readConfig()): Promise<void> {
  const started = Date.now();
  const handle = openDatabase(config.databaseUrl);
  const log = (message: string) => process.stdout.write(`${message}\n`);
  log(`database: ${handle.location}`);
  await prepareDatabase(handle);
  if (config.loadBundledData) {
    const { loaded } = await loadBundledData(handle.db, config.dataDir, log);
    if (loaded) log(`bundled data loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  // Supporters' data key: configured, or kept next to the embedded database (made on the first start).
  const { crypto, mailer, delivery } = openCampaignServices(handle, config);
  if (handle.dialect === 'postgres' && !config.supporterKey) {
    log(
      "warning: SUPPORTER_KEY is not set, so supporters' data is encrypted with var/supporter.key on this machine; set SUPPORTER_KEY (the same on every server) before a second server shares this database",
    );
  }
  log(
    config.smtpUrl
      ? `mail: ${config.smtpUrl.replace(/\/\/[^@/]*@/, '//***@')}`
      : 'mail: kept in the local outbox (set SMTP_URL to send it)',
  );
  // Several processes on one PostgreSQL database share their rate-limit counts; SQLite is one process.
  const sharedCounters =
    handle.dialect === 'postgres' ? new SharedCounters(handle.db, (client) => crypto.sign(`client:${client}`)) : null;
  sharedCounters?.start();
  const app = await buildApp(handle, {
    logLevel: config.logLevel === 'silent' ? undefined : config.logLevel,
    rateLimitPerMinute: config.rateLimitPerMinute,
    trustProxy: config.trustProxy,
    recordsMemoryBytes: config.recordsMemoryMb * 1024 * 1024,
    sharedCounters,
    spentChallenges: handle.dialect === 'postgres' ? new SpentChallengesTable(handle.db) : null,
    campaigns: {
      crypto,
      mailer,
      publicUrl: config.publicUrl,
      perAddressPerMinute: config.actionsPerMinutePerAddress,
      perDomainPerMinute: config.actionsPerMinutePerDomain,
      perAddressWithoutProofPerMinute: config.actionsPerMinuteWithoutProof,
      retentionDays: config.supporterRetentionDays,
    },
  });
  // Background jobs, each claimed through a lease in the database, so that of several processes one runs
  // it: reminders after a day, deletion of unconfirmed actions after 7 days and retention, mail retries,
  // the paced delivery of confirmed actions to officials, and the scheduled syncs of sources.
  const housekeeping = new Housekeeping(
    new JobLeases(handle.db),
    campaignJobs(app.campaignActions, mailer, delivery).concat(
      watcherJobs(app.watchers),
      reportJobs(app.reports),
      sourceSyncJob(handle.db, { dataDir: config.dataDir, sourcesDir: config.sourcesDir }, log),
    ),
    log,
  );
  const stopHousekeeping = housekeeping.start(60_000);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log(
    `Counterwatch is ready at http://${config.host}:${port} (started in ${((Date.now() - started) / 1000).toFixed(1)} \
s)`,
  );
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: closing`);
    await stopHousekeeping();
    sharedCounters?.stop();
    await app.close();
    mailer.close();
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
