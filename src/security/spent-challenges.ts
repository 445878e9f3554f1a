import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import type { SpentChallenges } from './proof-of-work';

/**
 * The proof-of-work challenges already used, in the database, so that a solved challenge counts once
 * whichever server process receives it (`spent_challenges`; expired ones are deleted as new ones come).
 */
export class SpentChallengesTable implements SpentChallenges {
  private lastPrune = 0;

  constructor(private readonly db: Kysely<Database>) {}

  async spend(challenge: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      await this.db.deleteFrom('spent_challenges').where('expires_at', '<', now).execute();
    }
    const inserted = await this.db
      .insertInto('spent_challenges')
      .values({ challenge, expires_at: expiresAt })
      .onConflict((oc) => oc.column('challenge').doNothing())
      .returning('challenge')
      .executeTakeFirst();
    return inserted !== undefined;
  }
}
