/**
 * The job function the history check gives the queue's workers (QueueWorker's `handle`, startApp's
 * `handle`: the lesson's contract, nothing more). Each run appends a `start` and a `finish` line of
 * JSON to this process's own file; an append of one short line is atomic, and a process killed
 * mid-job leaves every line before it whole.
 *
 * The plan (HISTORY_PLAN, JSON, set by whoever starts the process, never by a job's data) names the
 * jobs, by the client's number, whose run overruns the time limit: `first` on their first attempt
 * only, `always` on every attempt (they end in jobs:dead).
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Run } from './history.ts';
import { pause } from '../lesson-06.ts';

export interface Plan {
  first: number[];
  always: number[];
  /** How long an overrunning run sleeps: past the time limit. */
  overrunMs: number;
}

/** The data the client posts: its number for the job, and how long the job works. */
export interface JobData {
  n: number;
  sleepMs: number;
}

/** Now on the clock every process of the run shares: ms since the epoch, with a fraction. */
export const now = () => performance.timeOrigin + performance.now();


/**
 * A handle that records each run in `file`. `worker()` names the worker running it. The attempt is
 * read from jobs:attempts on a connection of the recorder's own, straight to Redis (not through the
 * check's proxy), and left null when Redis does not answer within 200 ms.
 */
export function recordingHandle(file: string, worker: () => string, plan: Plan, redisUrl: string, prefix: string): { handle: (job: { id: string; data: unknown }) => Promise<unknown>; close: () => void } {
  const conn = new Redis(redisUrl, { keyPrefix: prefix, connectionName: `${prefix}history-recorder`, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 200, retryStrategy: () => 50 });
  conn.on('error', () => {});
  let runs = 0;
  const write = (kind: Run['kind'], run: string, job: string, n: number | null, attempt: number | null, at: number) =>
    appendFileSync(file, `${JSON.stringify({ kind, run, worker: worker(), job, n, attempt, at } satisfies Run)}\n`);
  const handle = async (job: { id: string; data: unknown }) => {
    const at = now();
    const run = `${process.pid}-${++runs}`;
    const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Partial<JobData>;
    const n = typeof data.n === 'number' ? data.n : null;
    const attempts = await conn.hget('jobs:attempts', job.id).then((value) => Number(value ?? 0), () => null);
    const attempt = attempts === null ? null : attempts + 1;
    write('start', run, job.id, n, attempt, at);
    const overrun = n !== null && (plan.always.includes(n) || (plan.first.includes(n) && attempt === 1));
    await pause(overrun ? plan.overrunMs : Number(data.sleepMs ?? 0));
    write('finish', run, job.id, n, attempt, now());
    return { n };
  };
  return { handle, close: () => conn.disconnect() };
}

/** The recorder's settings, from the environment the history check gives its processes. */
export function recorderEnv(env: NodeJS.ProcessEnv = process.env): { file: string; plan: Plan; redisUrl: string } {
  const file = env.HISTORY_FILE;
  const redisUrl = env.HISTORY_REDIS_URL;
  if (!file || !redisUrl) throw new TypeError('Expected HISTORY_FILE and HISTORY_REDIS_URL: this process is started by the history check (test/support/history/scenario.ts)');
  return { file, redisUrl, plan: JSON.parse(env.HISTORY_PLAN || '{"first":[],"always":[],"overrunMs":0}') as Plan };
}
