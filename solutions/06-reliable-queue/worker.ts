import { randomBytes } from 'node:crypto';
import { connect, type Redis } from '#workshop/redis';
import { jobId, keys, LUA_JOB_ID, parseJob, type Job, type Outcome } from './jobs.ts';

/** Runs one job; what it returns is recorded as the job's result, what it throws as its error. */
export type JobHandler = (job: Job) => unknown;

export interface WorkerOptions {
  /** Names the worker's processing list and heartbeat key; unique among live workers. @default a random id */
  id?: string;
  handle: JobHandler;
  /** How long the heartbeat key lives unless renewed; a worker silent that long counts as dead. @default 30000 */
  leaseMs?: number;
  /** How often the heartbeat is renewed. @default leaseMs / 3 */
  heartbeatMs?: number;
  /** How long one BLMOVE waits, in seconds (0: for ever). stop() alone waits for it; app.ts unblocks. @default 30 */
  blockTimeoutSec?: number;
  /** A job whose handle() has not settled after this long is a failed attempt: retried, or dead after maxAttempts. @default 300000 */
  jobTimeoutMs?: number;
  /** Attempts (timeouts here, deaths in the reaper) after which a job goes to jobs:dead. Use the reaper's value. @default 3 */
  maxAttempts?: number;
}

/**
 * A job past its time limit: counted, then back to the tail of waiting or onto dead, in one step.
 * KEYS: processing, waiting, dead, attempts, status. ARGV: raw, id, maxAttempts. Returns the new status.
 */
const TIMED_OUT = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return false end
if redis.call('HINCRBY', KEYS[4], ARGV[2], 1) >= tonumber(ARGV[3]) then
  redis.call('RPUSH', KEYS[3], ARGV[1])
  redis.call('HSET', KEYS[5], ARGV[2], 'dead')
  return 'dead'
end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[2], 'waiting')
return 'waiting'
`;

/**
 * Acknowledges a job and records its outcome, but only while the job is ours: a worker stalled past
 * its lease (a long GC pause) finds its job given back by the reaper, maybe run by another worker
 * now, and must not mark it done. KEYS: processing, results, status, waiting. ARGV: raw, id, outcome
 * JSON, status, '1' to take the next job. Returns the next job, or nil.
 */
const ACKNOWLEDGE = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
end
if ARGV[5] == '1' then return redis.call('LMOVE', KEYS[4], KEYS[1], 'LEFT', 'LEFT') end
return false
`;

/** Pops every job of a processing list back to the head of waiting, as it was, and collects the ids. */
const RETURN_ALL = `${LUA_JOB_ID}
local ids = {}
while true do
  local raw = redis.call('RPOP', KEYS[1])
  if not raw then break end
  local id = job_id(raw)
  redis.call('LPUSH', KEYS[2], raw)
  redis.call('HSET', KEYS[3], id, 'waiting')
  table.insert(ids, 1, id)
end
`;

/**
 * Gives back every job of one worker that is leaving before they are done, not as a failure (no
 * attempt counted), and unregisters it, in one step. KEYS: processing, waiting, status, alive, workers.
 * ARGV: worker id. Returns the ids given back.
 */
const HAND_BACK = `${RETURN_ALL}
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[5], ARGV[1])
return ids
`;

/** Gives back the jobs of our processing list that the loop does not know of. KEYS: processing, waiting, status. */
const GIVE_BACK_STRAYS = `${RETURN_ALL}
return ids
`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An error of the connection (Redis restarted, the connection cut: ioredis reconnects, and gives up
 * on a command after maxRetriesPerRequest), not one Redis answered, and the connection not ended
 * for good: worth sending the command again. Otherwise the worker leaves, and the reaper gives its
 * jobs back.
 */
const passing = (conn: Redis, error: unknown) => (error as Error).name !== 'ReplyError' && conn.status !== 'end';

/**
 * Sends a command again until Redis has answered it: an acknowledgement lost to a restart would
 * leave the job in our processing list, where nobody gives it back while we live.
 */
async function persist<T>(conn: Redis, send: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!passing(conn, error)) throw error;
      await pause(50);
    }
  }
}

const TIMED_OUT_MARK = Symbol('timed out');
const HANDED_BACK_MARK = Symbol('handed back');

/**
 * One worker: takes each job with BLMOVE into its own processing list, runs it, acknowledges with
 * LREM and records the outcome (if the job was still its own), while a heartbeat key tells the
 * reaper it is alive. The script that acknowledges a job also takes the next one waiting (LMOVE),
 * so a busy worker makes one round trip less per job.
 *
 * @example
 * const worker = new QueueWorker({ id: 'w1', handle: (job) => console.log(job.data) });
 * await worker.start();
 * // ... later
 * await worker.stop();
 */
export class QueueWorker {
  readonly id: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly blockTimeoutSec: number;
  readonly jobTimeoutMs: number;
  readonly maxAttempts: number;
  /** CLIENT ID of the connection that BLMOVEs, once start() has resolved. */
  clientId?: number;
  /** True while a BLMOVE is out (sent and not answered). */
  blocking = false;
  private stopping = false;
  private started?: Promise<void>;
  private loop?: Promise<void>;
  private conn?: Redis;
  /** Set once the loop has ended: no job in progress, the connections closing. */
  private ended = false;
  /** Aborted by handBack(): the job in progress is given up, its outcome never recorded. */
  private readonly leaving = new AbortController();
  /** Set when the BLMOVE connection has reconnected: our processing list may hold a job the loop never got. */
  private strays = false;

  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
    const { id = `w-${randomBytes(4).toString('hex')}`, handle, leaseMs = 30_000, blockTimeoutSec = 30, jobTimeoutMs = 300_000, maxAttempts = 3 } = options;
    const heartbeatMs = options.heartbeatMs ?? Math.max(5, Math.floor(leaseMs / 3));
    if (typeof id !== 'string' || !/^[\w.:-]+$/.test(id)) throw new TypeError(`Expected \`id\` to be letters, digits, . : _ or -, got \`${id}\``);
    if (typeof handle !== 'function') throw new TypeError(`Expected \`handle\` to be a function, got \`${String(handle)}\` (${typeof handle})`);
    if (!Number.isInteger(leaseMs) || leaseMs < 10) throw new TypeError(`Expected \`leaseMs\` to be an integer >= 10, got \`${leaseMs}\``);
    if (!(heartbeatMs > 0 && heartbeatMs < leaseMs)) throw new TypeError(`Expected \`heartbeatMs\` to be > 0 and < leaseMs, got \`${heartbeatMs}\``);
    if (!(blockTimeoutSec >= 0)) throw new TypeError(`Expected \`blockTimeoutSec\` to be seconds >= 0, got \`${blockTimeoutSec}\``);
    if (!(jobTimeoutMs > 0)) throw new TypeError(`Expected \`jobTimeoutMs\` to be > 0, got \`${jobTimeoutMs}\``);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`Expected \`maxAttempts\` to be an integer >= 1, got \`${maxAttempts}\``);
    this.id = id;
    this.leaseMs = leaseMs;
    this.heartbeatMs = heartbeatMs;
    this.blockTimeoutSec = blockTimeoutSec;
    this.jobTimeoutMs = jobTimeoutMs;
    this.maxAttempts = maxAttempts;
  }

  /** Registers the worker, starts its heartbeat and its loop; resolves once the loop runs. */
  start(): Promise<void> {
    this.started ??= this.launch();
    return this.started;
  }

  /** Sets the stop flag; resolves once the job in progress is done and the worker has left. */
  async stop(): Promise<void> {
    // The flag first: the loop checks it before every BLMOVE.
    this.stopping = true;
    if (!this.started) return;
    await this.started.catch(() => {});
    await this.loop;
  }

  /**
   * Leaves now: the job in progress is given up (its outcome never recorded) and handed back to the
   * head of jobs:waiting, in one step with the unregistering. Resolves with the ids handed back once
   * both connections are closed. For a shutdown that cannot wait (app.ts's close() past its deadline).
   * Its script goes on the BLMOVE connection: a worker waiting in BLMOVE hands back once that returns
   * (app.ts has unblocked every worker before).
   */
  async handBack(): Promise<string[]> {
    this.stopping = true;
    if (!this.started) return [];
    await this.started.catch(() => {});
    if (!this.conn || this.ended || this.leaving.signal.aborted) {
      await this.loop;
      return [];
    }
    // On the loop's own connection, and sent before the loop can send anything else: an
    // acknowledgement already sent runs first (then there is nothing to hand back), and none follows.
    const sent = this.conn.eval(
      HAND_BACK,
      5,
      keys.processing(this.id),
      keys.waiting,
      keys.status,
      keys.alive(this.id),
      keys.workers,
      this.id,
    ) as Promise<string[]>;
    this.leaving.abort();
    const ids = await sent;
    await this.loop;
    return ids;
  }

  private async launch(): Promise<void> {
    // Two connections: a BLMOVE holds its connection, and the heartbeat must not wait behind it.
    const conn = connect(`worker-${this.id}`);
    const beat = connect(`heartbeat-${this.id}`);
    this.conn = conn;
    this.clientId = (await conn.client('ID')) as number;
    // A BLMOVE that Redis carried out can lose its answer with a cut connection (ioredis then sends it
    // again): its job sits in our processing list, unknown to the loop, and the reaper leaves a live
    // worker's list alone. After each reconnect, the loop gives such jobs back before its next BLMOVE.
    // A reconnect also gives the connection a new CLIENT ID, the one app.ts must unblock. Not asked on
    // this connection: ioredis has sent the cut-off BLMOVE again, and CLIENT ID would wait behind it.
    conn.on('ready', () => {
      this.strays = true;
      void this.relearnId(conn, beat);
    });
    // Alive and registered together, at every beat: a worker the reaper gave up on after a stall (a
    // long GC pause, SIGSTOP) is registered again, so that its jobs are given back when it dies later.
    const renew = () => beat.multi().set(keys.alive(this.id), String(process.pid), 'PX', this.leaseMs).sadd(keys.workers, this.id).exec();
    await renew();
    const timer = setInterval(() => void renew().catch(() => {}), this.heartbeatMs);
    this.loop = this.live(conn, beat, timer);
    this.loop.catch(() => {});
  }

  /** The CLIENT ID of `conn` now, found by its name from the other connection (the newest, should an old one linger). */
  private async relearnId(conn: Redis, beat: Redis): Promise<void> {
    const list = String(await persist(beat, () => beat.client('LIST')).catch(() => ''));
    const mine = list.split('\n').filter((line) => line.includes(` name=${conn.options.connectionName} `));
    const ids = mine.map((line) => Number(/^id=(\d+)/.exec(line)?.[1]));
    if (ids.length > 0) this.clientId = Math.max(...ids);
  }

  private async live(conn: Redis, beat: Redis, timer: NodeJS.Timeout): Promise<void> {
    try {
      await this.work(conn);
      this.ended = true;
      // Only now: the heartbeat must go on while the last job finishes.
      clearInterval(timer);
      // Left with an empty processing list: nothing for the reaper to give back. On the heartbeat's
      // connection, so that no renewal sent before arrives after the DEL.
      await beat.multi().del(keys.alive(this.id)).srem(keys.workers, this.id).exec();
    } finally {
      this.ended = true;
      clearInterval(timer);
      await Promise.allSettled([conn.quit(), beat.quit()]);
    }
  }

  private async work(conn: Redis): Promise<void> {
    const processing = keys.processing(this.id);
    // Between two jobs the loop holds none: whatever is in our processing list then is a stray.
    const giveBackStrays = async () => {
      if (!this.strays) return;
      this.strays = false;
      await persist(conn, () => conn.eval(GIVE_BACK_STRAYS, 3, processing, keys.waiting, keys.status));
    };
    // A job that the last acknowledgement took along: it is in our processing list, so it is ours
    // to run even if the stop flag was set meanwhile.
    let taken: string | null = null;
    while (taken !== null || !this.stopping) {
      let raw = taken;
      taken = null;
      if (raw === null) {
        // Only now, holding no job, can strays be told apart from the job in hand.
        await giveBackStrays();
        this.blocking = true;
        try {
          // BLMOVE, not BLPOP: the job stays in Redis, in our processing list, until we acknowledge it.
          raw = await conn.blmove(keys.waiting, processing, 'LEFT', 'LEFT', this.blockTimeoutSec).finally(() => (this.blocking = false));
        } catch (error) {
          // Redis restarted or the connection was cut: ask again (checking the stop flag first) once ioredis has reconnected.
          if (!passing(conn, error)) throw error;
          await pause(50);
          continue;
        }
        if (raw === null) continue;
      }
      // handBack() was called while we waited: its script, sent after the BLMOVE (or the acknowledgement
      // that took this job), gives this job back.
      if (this.leaving.signal.aborted) break;
      const outcome = await this.run(conn, raw);
      // Handed back: the job is in waiting again, and this run's outcome is nobody's.
      if (outcome === HANDED_BACK_MARK) break;
      if (outcome === TIMED_OUT_MARK) {
        await persist(conn, () => conn.eval(TIMED_OUT, 5, processing, keys.waiting, keys.dead, keys.attempts, keys.status, raw, jobId(raw), this.maxAttempts));
        continue;
      }
      // The flag is checked before every take: unless it is set, the acknowledgement takes the next job.
      taken = await this.acknowledge(conn, raw, outcome, !this.stopping);
    }
    // Unregistered with a stray in our list, it would be nobody's. (handBack() gave everything back.)
    if (!this.leaving.signal.aborted) await giveBackStrays();
  }

  /**
   * Removes the job from our processing list and, only if it was still there, records its outcome:
   * one script. With `takeNext`, the same script takes the next job too: LMOVE, the BLMOVE that
   * never blocks (nil when none waits; the loop then BLMOVEs). One round trip acknowledges a job and
   * takes the next, where two would wait one after the other. Returns the job taken, or null.
   */
  private async acknowledge(conn: Redis, raw: string, { id, outcome }: { id: string; outcome: Outcome }, takeNext: boolean): Promise<string | null> {
    // Sent again until answered: running it twice records nothing more (LREM finds nothing); a job
    // the lost first answer took along is a stray, given back when the loop next holds no job.
    // LREM with the exact text BLMOVE (or LMOVE) gave us: a re-encoded job would not match.
    const next = await persist(conn, () =>
      conn.eval(ACKNOWLEDGE, 4, keys.processing(this.id), keys.results, keys.status, keys.waiting, raw, id, JSON.stringify(outcome), outcome.ok ? 'done' : 'failed', takeNext ? '1' : '0'),
    );
    return (next as string | null) ?? null;
  }

  private async run(conn: Redis, raw: string): Promise<{ id: string; outcome: Outcome } | typeof TIMED_OUT_MARK | typeof HANDED_BACK_MARK> {
    // One id for the job everywhere, the reaper's too, even when its text cannot be decoded.
    const id = jobId(raw);
    let job: Job;
    try {
      job = parseJob(raw);
    } catch (error) {
      return { id, outcome: { ok: false, error: (error as Error).message } };
    }
    await persist(conn, () => conn.hset(keys.status, id, 'processing'));
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<typeof TIMED_OUT_MARK>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT_MARK), this.jobTimeoutMs)));
    let leave = () => {};
    const left = new Promise<typeof HANDED_BACK_MARK>((resolve) => {
      leave = () => resolve(HANDED_BACK_MARK);
      if (this.leaving.signal.aborted) leave();
      else this.leaving.signal.addEventListener('abort', leave, { once: true });
    });
    try {
      // A handler that never settles must not hold the worker: whichever comes first.
      const value = await Promise.race([Promise.resolve().then(() => this.options.handle(job)), limit, left]);
      if (value === TIMED_OUT_MARK || value === HANDED_BACK_MARK) return value;
      return { id, outcome: { ok: true, value: value ?? null } };
    } catch (error) {
      // One bad job must not end the worker: its error is its result.
      return { id, outcome: { ok: false, error: error instanceof Error ? error.message : String(error) } };
    } finally {
      clearTimeout(timer);
      // The worker's signal lives as long as the worker: listeners left on it would pile up, one per
      // job, and each addEventListener walks them all (a worker slower with every job it has done).
      this.leaving.signal.removeEventListener('abort', leave);
    }
  }
}
