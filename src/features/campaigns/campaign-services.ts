import { join } from 'node:path';
import { REPO_ROOT, type Config } from '#src/config/config';
import type { DatabaseHandle } from '#src/storage/dialect';
import { loadSupporterKey, SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { CampaignActions } from './campaign-actions.service';
import { DeliveryService } from './delivery.service';
import type { BackgroundJob } from '#src/jobs/housekeeping';

/** Where embedded mode keeps the supporter key when SUPPORTER_KEY is not set. */
export const EMBEDDED_KEY_FILE = join(REPO_ROOT, 'var', 'supporter.key');

/** The campaign machinery over an open database, as configured: key, mail, actions and delivery. */
export function openCampaignServices(handle: DatabaseHandle, config: Config) {
  const crypto = new SupporterCrypto(loadSupporterKey(config.supporterKey, EMBEDDED_KEY_FILE));
  const mailer = new Mailer(handle.db, crypto, { smtpUrl: config.smtpUrl, from: config.mailFrom });
  return {
    crypto,
    mailer,
    actions: new CampaignActions(
      handle.db,
      crypto,
      mailer,
      config.publicUrl,
      config.supporterRetentionDays,
      handle.dialect,
    ),
    delivery: new DeliveryService(handle.db, crypto, mailer),
  };
}

/** The campaigns' background jobs (run by `jobs/housekeeping.ts`, one process at a time). */
export function campaignJobs(actions: CampaignActions, mailer: Mailer, delivery: DeliveryService): BackgroundJob[] {
  return [
    {
      name: 'campaign-sweep',
      everyMs: 5 * 60_000,
      run: async () => {
        const swept = await actions.sweep();
        return `${swept.reminded} reminded, ${swept.deleted} expired, ${swept.forgotten} forgotten`;
      },
    },
    { name: 'mail-retries', everyMs: 5 * 60_000, run: async () => `${await mailer.retryQueued()} sent again` },
    {
      name: 'deliveries',
      everyMs: 5 * 60_000,
      run: async () => {
        const report = await delivery.run();
        return `${report.sent} sent, ${report.bounced} bounced, ${report.failed} failed`;
      },
    },
  ];
}
