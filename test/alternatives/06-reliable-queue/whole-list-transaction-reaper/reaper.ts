/**
 * Alternative to the reference reaper: no Lua and no LMOVE. For each dead worker, one optimistic
 * transaction gives back its whole processing list: WATCH its alive key, its processing list and
 * jobs:attempts; read the list (LRANGE) and the attempts (HMGET); then one MULTI that DELetes the
 * list, LPUSHes each job back onto waiting (or RPUSHes it onto dead), counts the attempts, sets the
 * statuses and unregisters the worker. When EXEC answers null (a watched key changed), it reads
 * again. The rounds run on a setInterval that skips a tick while a round is still running.
 *
 * Still correct: the LRANGE is a read under WATCH, not the first half of a move: every write is in
 * the MULTI, which Redis runs as one step, and only if nothing watched changed since the reads. A
 * heartbeat renewed, an acknowledgement (LREM), or a second reaper in between aborts it, so no job
 * is ever in two lists or in none, a live worker's jobs stay where they are, and no attempt is
 * counted twice. WATCH belongs to the connection: give reapOnce() a connection no one else runs
 * transactions on (startApp() gives the reaper its own).
 */
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
  for (const worker of await conn.smembers(keys.workers)) {
    const { requeued, dead } = await reapWorker(conn, worker, maxAttempts);
    report.requeued.push(...requeued);
    report.dead.push(...dead);
  }
  return report;
}

/** Gives back all of one dead worker's jobs and unregisters it, in one transaction. */
async function reapWorker(conn: Redis, worker: string, maxAttempts: number): Promise<ReapReport> {
  const alive = keys.alive(worker);
  const processing = keys.processing(worker);
  for (;;) {
    // From here to EXEC, a change to any of these keys makes EXEC refuse the transaction.
    await conn.watch(alive, processing, keys.attempts);
    if ((await conn.exists(alive)) === 1) {
      // Alive: a slow job is not a dead worker.
      await conn.unwatch();
      return { requeued: [], dead: [] };
    }
    // Tail first, as a pop from the right would take them: each LPUSH puts the next one in front.
    const jobs = (await conn.lrange(processing, 0, -1)).reverse();
    // The id the worker and GET /jobs/<id> know, also when the text cannot be decoded.
    const ids = jobs.map((raw) => jobId(raw));
    const before = ids.length > 0 ? await conn.hmget(keys.attempts, ...ids) : [];
    const moved: ReapReport = { requeued: [], dead: [] };
    const give = conn.multi().del(processing);
    jobs.forEach((raw, i) => {
      const id = ids[i]!;
      const dead = Number(before[i] ?? 0) + 1 >= maxAttempts;
      give.hincrby(keys.attempts, id, 1);
      if (dead) give.rpush(keys.dead, raw).hset(keys.status, id, 'dead');
      else give.lpush(keys.waiting, raw).hset(keys.status, id, 'waiting');
      (dead ? moved.dead : moved.requeued).push(id);
    });
    give.srem(keys.workers, worker);
    // null: a watched key changed between the reads and EXEC, and nothing was done; read again.
    if ((await give.exec()) !== null) return moved;
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
  let round: Promise<void> | undefined;
  const timer = setInterval(() => {
    // A round still running: skip this tick, so rounds never overlap (and never share the WATCH).
    round ??= reapOnce(conn, options).then(
      () => {},
      onError,
    ).finally(() => (round = undefined));
  }, intervalMs);
  return {
    async stop() {
      // A timer left running keeps the process (and the test runner) alive.
      clearInterval(timer);
      await round;
    },
  };
}
