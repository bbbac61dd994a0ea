import type { Redis } from '#workshop/redis';
import { keys, type Job } from './jobs.ts';

/** The data of a demo job. Every field is optional. */
export interface TaskData {
  /** The number to square. @default 0 */
  n?: number;
  /** How long the task works, in ms. @default 0 */
  sleepMs?: number;
}

/**
 * How the demo task runs; set by the process that runs the worker, never by a job's data (a switch
 * for tests that anyone who can POST a job could flip would be a way to hang every worker).
 */
export interface TaskOptions {
  /** Ids of the jobs whose first run never ends (stands for a worker that hangs or is about to be killed); later runs are normal. */
  hangFirstRun?: ReadonlySet<string>;
}

/** What the demo task returns. */
export interface TaskResult {
  square: number;
  /** Which run of this job produced it: 1 the first time, 2 if a worker died in the first run. */
  run: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Given: the demo task that worker-process.ts and the app run. It counts each run of a job in
 * `keys.runs` first (so you and the checks can see a job done twice), then squares `n`.
 *
 * @param conn - a connection that is not blocked (not the one your worker BLMOVEs on).
 * @example
 * const tasks = connect('tasks');
 * const worker = new QueueWorker({ handle: (job) => perform(tasks, job) });
 */
export async function perform(conn: Redis, job: Job, options: TaskOptions = {}): Promise<TaskResult> {
  const run = await conn.hincrby(keys.runs, job.id, 1);
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as TaskData;
  if (options.hangFirstRun?.has(job.id) && run === 1) await new Promise<never>(() => {});
  if (data.sleepMs) await pause(data.sleepMs);
  const n = Number(data.n ?? 0);
  return { square: n * n, run };
}
