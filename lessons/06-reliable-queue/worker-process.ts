/**
 * Given: one worker in a process of its own, so that it can really die.
 *
 *   WORKER_ID=w1 JOB_LEASE_MS=1000 node lessons/06-reliable-queue/worker-process.ts
 *
 * Also read: JOB_BLOCK_TIMEOUT_SEC (default 1), JOB_TIMEOUT_MS (default 300000), JOB_MAX_ATTEMPTS
 * (default 3), and JOB_HANG_FIRST_RUN, job ids separated by commas whose first run never ends (for
 * the checks and the demo: only whoever starts the process can set it, no HTTP client).
 *
 * It runs the demo task (tasks.ts) and prints `ready <id> (pid <pid>)` once its worker has started. SIGTERM
 * stops it cleanly (within blockTimeoutSec); SIGKILL is what the checks use to kill it mid-job.
 */
import { connect } from '#workshop/redis';
import { perform } from './tasks.ts';
import { QueueWorker } from './worker.ts';

const id = process.env.WORKER_ID || `pid-${process.pid}`;
const leaseMs = Number(process.env.JOB_LEASE_MS || 30_000);
const blockTimeoutSec = Number(process.env.JOB_BLOCK_TIMEOUT_SEC || 1);
const jobTimeoutMs = Number(process.env.JOB_TIMEOUT_MS || 300_000);
const maxAttempts = Number(process.env.JOB_MAX_ATTEMPTS || 3);
const hangFirstRun = new Set((process.env.JOB_HANG_FIRST_RUN || '').split(',').filter(Boolean));

const tasks = connect(`tasks-${id}`);
const worker = new QueueWorker({ id, leaseMs, blockTimeoutSec, jobTimeoutMs, maxAttempts, handle: (job) => perform(tasks, job, { hangFirstRun }) });

process.once('SIGTERM', () => {
  worker
    .stop()
    .finally(() => tasks.quit())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});

await worker.start();
console.log(`ready ${id} (pid ${process.pid})`);
