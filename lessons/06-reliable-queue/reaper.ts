import type { Redis } from '#workshop/redis';
import { keys, LUA_JOB_ID } from './jobs.ts';

// TODO: write the Lua script that gives back the jobs of ONE worker, in one step Redis runs alone.
//       KEYS: alive, processing, waiting, dead, attempts, status, workers (every key as KEYS, so
//       that the prefix is applied). ARGV: the worker id, maxAttempts.
//       - If the alive key EXISTS, the worker is alive: return {{}, {}} and touch nothing.
//       - Else, for each job RPOPped from its processing list: id = job_id(raw) (put LUA_JOB_ID from
//         jobs.ts at the top of the script). Not cjson.decode(raw).id alone: cjson cannot decode some
//         jobs JSON.parse reads (nested over 1000 deep, a lone surrogate such as \ud800), and a job
//         keyed by its text would sit in jobs:dead while GET /jobs/<id> says "processing" for ever.
//         HINCRBY attempts id 1; if that reaches maxAttempts, RPUSH the job onto dead and HSET status
//         "dead", else LPUSH it back onto waiting (it goes next) and HSET status "waiting".
//       - SREM the worker from workers. Return {requeued ids, dead ids}.
const GIVE_BACK = `${LUA_JOB_ID}
return {{}, {}}`;

export interface ReapOptions {
  /** A job whose worker died this many times goes to the dead-letter list. @default 3 */
  maxAttempts?: number;
}

/** What one round did: the ids given back to waiting, and those sent to the dead-letter list. */
export interface ReapReport {
  requeued: string[];
  dead: string[];
}

/**
 * One round of the reaper: for each registered worker whose heartbeat key is gone, gives its jobs
 * back to the head of the waiting list (or to the dead-letter list after maxAttempts).
 *
 * @example
 * const { requeued, dead } = await reapOnce(conn, { maxAttempts: 3 });
 */
export async function reapOnce(conn: Redis, options: ReapOptions = {}): Promise<ReapReport> {
  // TODO: check the option: a TypeError naming it unless it is an integer >= 1.
  // TODO: for each id in SMEMBERS keys.workers: conn.eval(GIVE_BACK, 7, ...the 7 keys, id, maxAttempts),
  //       and add what it returns to the report. Never LRANGE + LREM + RPUSH: between those
  //       commands the job is in two places, or in none.
  throw new Error('TODO: reapOnce() is not written yet (lessons/06-reliable-queue/reaper.ts)');
}

export interface ReaperOptions extends ReapOptions {
  /** Time between rounds, in ms. @default 1000 */
  intervalMs?: number;
  /** Called with what a round throws; the reaper goes on. @default console.error */
  onError?: (error: unknown) => void;
}

/**
 * Runs reapOnce() every intervalMs until stop(), which waits for a round in progress.
 *
 * @example
 * const reaper = startReaper(connect('reaper'), { intervalMs: 1000 });
 * await reaper.stop();
 */
export function startReaper(conn: Redis, options: ReaperOptions = {}): { stop(): Promise<void> } {
  // TODO: a setTimeout that runs reapOnce(conn, options), passes what it throws to onError, and
  //       sets itself again once the round has ended (rounds never overlap).
  // TODO: stop() clears the timer (a timer left running keeps the process alive) and awaits the round in progress.
  throw new Error('TODO: startReaper() is not written yet (lessons/06-reliable-queue/reaper.ts)');
}
