import { join } from 'node:path';
import { REPO_ROOT, type Config } from '#src/config/config';
import type { DatabaseHandle } from '#src/storage/dialect';
import { loadSupporterKey, SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { CampaignActions } from './campaign-actions.service';
import { DeliveryService } from './delivery.service';

/** Where embedded mode keeps the supporter key when SUPPORTER_KEY is not set. */
export const EMBEDDED_KEY_FILE = join(REPO_ROOT, 'var', 'supporter.key');

/** The campaign machinery over an open database, as configured: key, mail, actions and delivery. */
export function openCampaignServices(handle: DatabaseHandle, config: Config) {
  const crypto = new SupporterCrypto(loadSupporterKey(config.supporterKey, EMBEDDED_KEY_FILE));
  const mailer = new Mailer(handle.db, crypto, { smtpUrl: config.smtpUrl, from: config.mailFrom });
  return {
    crypto,
    mailer,
    actions: new CampaignActions(handle.db, crypto, mailer, config.publicUrl, config.supporterRetentionDays, handle.dialect),
    delivery: new DeliveryService(handle.db, crypto, mailer),
  };
}
