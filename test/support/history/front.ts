/**
 * The HTTP front of the history check, in a process of its own: the learner's startApp() (app.ts,
 * given as a file URL) with one worker that runs the recording handle, the reaper and the server.
 *
 *   node test/support/history/front.ts <file URL of app.ts>
 *
 * Reads JOB_LEASE_MS, JOB_TIMEOUT_MS, JOB_MAX_ATTEMPTS, JOB_REAP_INTERVAL_MS and the recorder's
 * HISTORY_* variables; connect() reads WORKSHOP_REDIS_URL (the check's proxy) and WORKSHOP_KEY_PREFIX.
 * Prints `listening <port> <worker id>`, or `failed: <message>` and exits 1. SIGTERM closes the app.
 */
import { keyPrefix } from '../../../workshop/redis.ts';
import { recorderEnv, recordingHandle } from './recorder.ts';

type AppModule = {
  startApp: (options: Record<string, unknown>) => Promise<{ port: number; workers: Array<{ id: string }>; close(options?: { deadlineMs?: number }): Promise<unknown> }>;
};

const { file, plan, redisUrl } = recorderEnv();
let workerId = 'app';
const recorder = recordingHandle(file, () => workerId, plan, redisUrl, keyPrefix());
try {
  const { startApp } = (await import(process.argv[2]!)) as AppModule;
  const app = await startApp({
    workers: 1,
    port: 0,
    handle: recorder.handle,
    blockTimeoutSec: 1,
    leaseMs: Number(process.env.JOB_LEASE_MS),
    jobTimeoutMs: Number(process.env.JOB_TIMEOUT_MS),
    maxAttempts: Number(process.env.JOB_MAX_ATTEMPTS),
    reapIntervalMs: Number(process.env.JOB_REAP_INTERVAL_MS),
  });
  workerId = app.workers[0]?.id ?? workerId;
  process.once('SIGTERM', () => void app.close({ deadlineMs: 1000 }).finally(() => process.exit(0)));
  console.log(`listening ${app.port} ${workerId}`);
} catch (error) {
  console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  recorder.close();
  process.exit(1);
}
