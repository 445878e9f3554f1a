import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import type { BackgroundJob } from '#src/jobs/housekeeping';
import { syncSource, type SyncFolders } from './sync.service';

/** The sources whose schedule says they are due: `schedule_hours` set, and not checked for that long. */
export async function dueSources(db: Kysely<Database>, now: Date): Promise<string[]> {
  const scheduled = await db
    .selectFrom('data_sources')
    .select(['name', 'schedule_hours', 'checked_at'])
    .where('schedule_hours', 'is not', null)
    .orderBy('name')
    .execute();
  return scheduled
    .filter(
      (s) => s.checked_at === null || Date.parse(s.checked_at) + Number(s.schedule_hours) * 3_600_000 <= now.getTime(),
    )
    .map((s) => s.name);
}

/**
 * The background job that syncs the due sources one after another (`jobs/housekeeping.ts` runs it every
 * 10 minutes, in one server process at a time). Off unless a source has a schedule
 * (`npm run cli -- sources schedule NAME HOURS`). A failure is logged and kept on the source.
 */
export function sourceSyncJob(
  db: Kysely<Database>,
  folders: SyncFolders,
  log: (message: string) => void,
): BackgroundJob {
  return {
    name: 'source-syncs',
    everyMs: 10 * 60_000,
    async run() {
      const due = await dueSources(db, new Date());
      for (const name of due) {
        try {
          const result = await syncSource(db, name, folders);
          log(
            `sync ${name}: ${result.outcome}${
              result.summary
                ? ` (${result.summary.created} \
new, ${result.summary.updated} updated, ${result.summary.unlisted} no longer listed)`
                : ''
            }`,
          );
        } catch (error) {
          log(`sync ${name} failed: ${(error as Error).message}`);
        }
      }
      return `${due.length} due`;
    },
  };
}
