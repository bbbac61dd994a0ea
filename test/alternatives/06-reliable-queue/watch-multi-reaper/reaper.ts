/**
 * Alternative to the reference reaper: no Lua. Each job is given back by an optimistic transaction:
 * WATCH the worker's alive key, its processing list and jobs:attempts; read what the decision needs
 * (is the worker alive? which job is at the tail of its list? how many attempts so far?); then one
 * MULTI that LMOVEs the job (to the head of waiting, or the tail of dead), counts the attempt and
 * sets the status. EXEC runs it only if none of the watched keys changed since the WATCH; when it
 * answers null, the reaper reads again. The rounds run in an async loop that sleeps with an
 * AbortSignal, not in a chain of setTimeout.
 *
 * Still correct: a MULTI runs alone, as a script does, and LMOVE moves the job in one command, so
 * it is never in two lists or in none. WATCH makes the reads part of the same step: a heartbeat
 * renewed, an acknowledgement, or a second reaper between the reads and EXEC aborts the
 * transaction instead of moving a live worker's job or counting an attempt twice. WATCH belongs to
 * the connection: give reapOnce() a connection no one else runs transactions on (startApp() gives
 * the reaper its own).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '#workshop/redis';
import { jobId, keys } from './jobs.ts';

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
  const { maxAttempts = 3 } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`Expected \`maxAttempts\` to be an integer >= 1, got \`${maxAttempts}\``);
  const report: ReapReport = { requeued: [], dead: [] };
  for (const worker of await conn.smembers(keys.workers)) await reapWorker(conn, worker, maxAttempts, report);
  return report;
}

/** Empties one dead worker's processing list, a job per transaction, then unregisters it. */
async function reapWorker(conn: Redis, worker: string, maxAttempts: number, report: ReapReport): Promise<void> {
  const alive = keys.alive(worker);
  const processing = keys.processing(worker);
  for (;;) {
    // From here to EXEC, a change to any of these keys makes EXEC refuse the transaction.
    await conn.watch(alive, processing, keys.attempts);
    const [exists, raw] = await Promise.all([conn.exists(alive), conn.lindex(processing, -1)]);
    if (exists === 1) {
      // Alive: a slow job is not a dead worker.
      await conn.unwatch();
      return;
    }
    if (raw === null) {
      // Nothing left to give back: unregister it, unless it came back to life meanwhile.
      if ((await conn.multi().srem(keys.workers, worker).exec()) !== null) return;
      continue;
    }
    // The id the worker and GET /jobs/<id> know, also when the text cannot be decoded.
    const id = jobId(raw);
    const dead = Number((await conn.hget(keys.attempts, id)) ?? 0) + 1 >= maxAttempts;
    const move = conn.multi().hincrby(keys.attempts, id, 1);
    // LMOVE from the tail takes exactly the job LINDEX -1 read: the list is watched.
    if (dead) move.lmove(processing, keys.dead, 'RIGHT', 'RIGHT').hset(keys.status, id, 'dead');
    else move.lmove(processing, keys.waiting, 'RIGHT', 'LEFT').hset(keys.status, id, 'waiting');
    // null: a watched key changed between the reads and EXEC, and nothing was done; read again.
    if ((await move.exec()) === null) continue;
    (dead ? report.dead : report.requeued).push(id);
  }
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
  const { intervalMs = 1000, onError = (error: unknown) => console.error('reaper:', error) } = options;
  if (!(intervalMs > 0)) throw new TypeError(`Expected \`intervalMs\` to be > 0, got \`${intervalMs}\``);
  const stopping = new AbortController();
  // One round after another, never two at once; aborting the sleep clears its timer.
  const rounds = (async () => {
    while (!stopping.signal.aborted) {
      const slept = await sleep(intervalMs, true, { signal: stopping.signal }).catch(() => false);
      if (!slept) break;
      await reapOnce(conn, options).catch(onError);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await rounds;
    },
  };
}
