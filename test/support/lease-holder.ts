/**
 * A server process's part in the lease test (run with `node --import tsx`): opens the database, claims the
 * job's lease, says "started" and then works forever, until the test kills it with SIGKILL.
 * Usage: lease-holder.ts DATABASE_URL JOB_NAME LEASE_MS
 */
import { openDatabase } from '#src/storage/dialect';
import { JobLeases } from '#src/jobs/job-leases';

const [url, name, leaseMs] = process.argv.slice(2) as [string, string, string];
const handle = openDatabase(url);
const leases = new JobLeases(handle.db);
const outcome = await leases.run(name, { leaseMs: Number(leaseMs), everyMs: 60_000 }, async () => {
  process.stdout.write('started\n');
  // Mid-job: the lease is renewed while this runs, and never given back.
  await new Promise(() => setInterval(() => undefined, 1000));
  return 'never';
});
process.stdout.write(outcome.ran ? 'finished\n' : 'busy\n');
await handle.close();
