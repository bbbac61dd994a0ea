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

  // TODO: keep two times (performance.now()): when the last job started, and when you last refreshed.
  // TODO: loop: take a job with conn.blpop(queue, 0). On EXIT, return { handled, refreshes } at once.
  // TODO: report the backlog: onBacklog?.(await conn.llen(queue)), after the pop.
  // TODO: wait until intervalMs has passed since the last job started.
  // TODO: if refreshMs has passed since the last refresh (or there was none), await refresh().
  // TODO: note the start time, then await handle(job).
  throw new Error(`TODO: runThrottledWorker() is not written yet (it should take jobs from "${queue}" until "${EXIT}")`);
}
