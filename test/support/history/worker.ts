/**
 * One worker of the history check, in a process of its own so that it can be killed and stalled:
 * the learner's QueueWorker (worker.ts, given as a file URL) with the recording handle.
 *
 *   node test/support/history/worker.ts <file URL of worker.ts>
 *
 * Reads WORKER_ID, JOB_LEASE_MS, JOB_TIMEOUT_MS, JOB_MAX_ATTEMPTS, JOB_BLOCK_TIMEOUT_SEC and the
 * recorder's HISTORY_* variables; connect() reads WORKSHOP_REDIS_URL (the check's proxy) and
 * WORKSHOP_KEY_PREFIX. Prints `ready <id>`, or `failed: <message>` and exits 1.
 */
import { keyPrefix } from '../../../workshop/redis.ts';
import { recorderEnv, recordingHandle } from './recorder.ts';

type WorkerModule = {
  QueueWorker: new (options: Record<string, unknown>) => { start(): Promise<void>; stop(): Promise<void> };
};

const id = process.env.WORKER_ID ?? `pid-${process.pid}`;
const { file, plan, redisUrl } = recorderEnv();
const recorder = recordingHandle(file, () => id, plan, redisUrl, keyPrefix());
try {
  const { QueueWorker } = (await import(process.argv[2]!)) as WorkerModule;
  const worker = new QueueWorker({
    id,
    handle: recorder.handle,
    leaseMs: Number(process.env.JOB_LEASE_MS),
    jobTimeoutMs: Number(process.env.JOB_TIMEOUT_MS),
    maxAttempts: Number(process.env.JOB_MAX_ATTEMPTS),
    blockTimeoutSec: Number(process.env.JOB_BLOCK_TIMEOUT_SEC),
  });
  process.once('SIGTERM', () => void worker.stop().finally(() => process.exit(0)));
  await worker.start();
  console.log(`ready ${id}`);
} catch (error) {
  console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  recorder.close();
  process.exit(1);
}
