import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '#workshop/redis';

/** The word that tells the worker to stop; whatever comes after it stays in the list. */
export const EXIT = 'exit';

export interface ThrottleOptions {
  /** The list the jobs are in. @default 'jobs' */
  queue?: string;
  /** The least time between the starts of two jobs, in milliseconds: the API's rate limit. */
  intervalMs: number;
  /** How long a refresh lasts, in milliseconds: after that, refresh again before the next job. */
  refreshMs: number;
  /** Does one job (calls the API). Awaited: the next job waits until it has settled. */
  handle: (job: string) => unknown;
  /** Gets fresh credentials. Awaited before the job it came before. */
  refresh: () => unknown;
  /** Told how many items are still in the list right after a job was taken. */
  onBacklog?: (waiting: number) => void;
}

export interface ThrottleReport {
  /** Jobs handled (`exit` is not a job). */
  handled: number;
  /** Times `refresh()` was called. */
  refreshes: number;
}

/**
 * The one worker in front of a rate-limited API: takes jobs from the list `queue` one at a
 * time, at least `intervalMs` apart, refreshing the credentials before the first job and again
 * whenever `refreshMs` has passed, until it pops `exit`.
 *
 * @param conn - a connection of its own: BLPOP holds it while the list is empty.
 * @example
 * const report = await runThrottledWorker(connect('sheets'), {
 *   intervalMs: 500,
 *   refreshMs: 5000,
 *   refresh: () => sheets.login(),
 *   handle: (job) => sheets.run(job),
 *   onBacklog: (waiting) => console.log(waiting, 'items awaiting'),
 * });
 */
export async function runThrottledWorker(conn: Redis, options: ThrottleOptions): Promise<ThrottleReport> {
  const { queue = 'jobs', intervalMs, refreshMs, handle, refresh, onBacklog } = options;
  if (!(intervalMs >= 0) || !Number.isFinite(intervalMs)) throw new TypeError(`Expected \`intervalMs\` to be a number >= 0, got \`${intervalMs}\``);
  if (!(refreshMs >= 0) || !Number.isFinite(refreshMs)) throw new TypeError(`Expected \`refreshMs\` to be a number >= 0, got \`${refreshMs}\``);
  if (typeof handle !== 'function') throw new TypeError(`Expected \`handle\` to be a function, got \`${typeof handle}\``);
  if (typeof refresh !== 'function') throw new TypeError(`Expected \`refresh\` to be a function, got \`${typeof refresh}\``);

  let handled = 0;
  let refreshes = 0;
  // -Infinity: the first job needs no wait and always a refresh.
  let lastStart = -Infinity;
  let lastRefresh = -Infinity;
  for (;;) {
    // Ask again every 2 s: a null answer only means no job came in that time.
    const popped = await conn.blpop(queue, 2);
    if (!popped) continue;
    const [, job] = popped;
    // Stop before taking anything else: jobs pushed after exit stay in the list for the next worker.
    if (job === EXIT) return { handled, refreshes };
    // LLEN after the pop: what is still waiting behind this job.
    if (onBacklog) onBacklog(await conn.llen(queue));

    // Spacing counts from the previous start, so a slow job uses up its share of the wait.
    for (let wait = lastStart + intervalMs - performance.now(); wait > 0; wait = lastStart + intervalMs - performance.now()) {
      await sleep(Math.ceil(wait));
    }
    // Checked just before the job, after the wait, so the job never runs on stale credentials.
    if (performance.now() - lastRefresh >= refreshMs) {
      await refresh();
      refreshes++;
      lastRefresh = performance.now();
    }
    lastStart = performance.now();
    // Awaited: one job at a time is the point of a dedicated worker.
    await handle(job);
    handled++;
  }
}
