import type { Redis } from '#workshop/redis';
import { keys, LUA_JOB_ID } from './jobs.ts';

/**
 * Gives back the jobs of one worker whose heartbeat is gone, in one step Redis runs alone.
 * KEYS: alive, processing, waiting, dead, attempts, status, workers. ARGV: worker id, maxAttempts.
 * Returns { requeued ids, dead ids }, each id as jobId() reads it.
 */
const GIVE_BACK = `${LUA_JOB_ID}
if redis.call('EXISTS', KEYS[1]) == 1 then return {{}, {}} end
local requeued, dead = {}, {}
while true do
  local raw = redis.call('RPOP', KEYS[2])
  if not raw then break end
  -- The id as the worker and the status know it, also when cjson cannot decode the text.
  local id = job_id(raw)
  if redis.call('HINCRBY', KEYS[5], id, 1) >= tonumber(ARGV[2]) then
    redis.call('RPUSH', KEYS[4], raw)
    redis.call('HSET', KEYS[6], id, 'dead')
    dead[#dead + 1] = id
  else
    redis.call('LPUSH', KEYS[3], raw)
    redis.call('HSET', KEYS[6], id, 'waiting')
    requeued[#requeued + 1] = id
  end
end
redis.call('SREM', KEYS[7], ARGV[1])
return {requeued, dead}
`;

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
    // Liveness is checked inside the script too: a heartbeat renewed in between is not missed.
    const [requeued, dead] = (await conn.eval(
      GIVE_BACK,
      7,
      keys.alive(worker),
      keys.processing(worker),
      keys.waiting,
      keys.dead,
      keys.attempts,
      keys.status,
      keys.workers,
      worker,
      maxAttempts,
    )) as [string[], string[]];
    report.requeued.push(...requeued);
    report.dead.push(...dead);
  }
  return report;
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
  let round: Promise<unknown> = Promise.resolve();
  // setTimeout after each round, not setInterval: rounds never overlap.
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    timer = setTimeout(() => {
      round = reapOnce(conn, options).catch(onError).finally(() => stopped || next());
    }, intervalMs);
  };
  next();
  return {
    async stop() {
      stopped = true;
      // A timer left running keeps the process (and the test runner) alive.
      clearTimeout(timer);
      await round;
    },
  };
}
