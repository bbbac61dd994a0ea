/**
 * Alternative to the reference worker, written another way:
 * - the jobs come from an async generator that re-issues BLMOVE while the worker is not stopping,
 *   consumed with `for await`, instead of one while loop with `continue`;
 * - stopping is an AbortSignal (stop() aborts it), not a boolean;
 * - each job gets an AbortController of its own, aborted by its time limit or by handBack(), and
 *   handle() is raced against that one signal, whose reason says which, instead of two marks;
 * - handBack() only asks: the loop owns its BLMOVE connection and runs the hand-back script itself
 *   as it gives up (the reference sends it from handBack(), then tells the loop), and the loop's
 *   promise resolves with the ids handed back;
 * - the heartbeat is a chain of setTimeout that waits for each renewal (renewals never overlap),
 *   not a setInterval;
 * - after a reconnect, clientId is the youngest client of the BLMOVE connection's name (by `age`),
 *   not the highest id.
 *
 * Still correct: the job is taken with BLMOVE into the worker's processing list, acknowledged with
 * LREM of its exact text in the MULTI that records its outcome (WATCHing the list, and recording
 * nothing once the job has left it: the reference checks LREM's answer in a Lua script instead), and the flag is read before every
 * BLMOVE. Since only the loop sends on the BLMOVE connection, whatever it sent before it noticed
 * handBack() (an acknowledgement) runs before the hand-back script, and nothing after it. The
 * heartbeat, renewed on its own connection, still SETs the alive key PX leaseMs and SADDs the worker
 * at every beat, and is stopped (its last renewal awaited) before the alive key is deleted.
 */
import { randomUUID } from 'node:crypto';
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

/** KEYS: processing, waiting, dead, attempts, status. ARGV: raw, id, maxAttempts. A job past its time limit, counted and moved on. */
const GIVE_UP = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return false end
local status = 'waiting'
local to = KEYS[2]
if redis.call('HINCRBY', KEYS[4], ARGV[2], 1) >= tonumber(ARGV[3]) then
  status = 'dead'
  to = KEYS[3]
end
redis.call('RPUSH', to, ARGV[1])
redis.call('HSET', KEYS[5], ARGV[2], status)
return status
`;

/** KEYS: processing, waiting, status, alive, workers. ARGV: worker id. Every job back to the head of waiting, the worker gone. */
const LEAVE = `${LUA_JOB_ID}
local ids = {}
local raw = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
while raw do
  local id = job_id(raw)
  redis.call('HSET', KEYS[3], id, 'waiting')
  table.insert(ids, 1, id)
  raw = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
end
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[5], ARGV[1])
return ids
`;

type Abandoned = { abandoned: 'timeout' | 'hand-back' };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Resolves when `signal` aborts, with its reason. */
function abandoned(signal: AbortSignal): Promise<Abandoned> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ abandoned: signal.reason as Abandoned['abandoned'] });
    else signal.addEventListener('abort', () => resolve({ abandoned: signal.reason as Abandoned['abandoned'] }), { once: true });
  });
}

/**
 * One worker: takes each job with BLMOVE into its own processing list, runs it, records the
 * outcome and acknowledges with LREM, while a heartbeat key tells the reaper it is alive.
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
  private readonly handle: JobHandler;
  private readonly stopping = new AbortController();
  private leaving = false;
  /** The job in progress: aborting it gives it up. */
  private current?: AbortController;
  private started?: Promise<void>;
  /** Resolves with the ids handed back (none unless handBack() was called) once both connections are closed. */
  private loop?: Promise<string[]>;

  constructor(options: WorkerOptions) {
    const leaseMs = options.leaseMs ?? 30_000;
    const settings = {
      id: options.id ?? `w-${randomUUID().slice(0, 8)}`,
      handle: options.handle,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(5, Math.floor(leaseMs / 3)),
      blockTimeoutSec: options.blockTimeoutSec ?? 30,
      jobTimeoutMs: options.jobTimeoutMs ?? 300_000,
      maxAttempts: options.maxAttempts ?? 3,
    };
    const rules: Array<[keyof typeof settings, boolean, string]> = [
      ['id', typeof settings.id === 'string' && /^[\w.:-]+$/.test(settings.id), 'letters, digits, . : _ or -'],
      ['handle', typeof settings.handle === 'function', 'a function'],
      ['leaseMs', Number.isInteger(leaseMs) && leaseMs >= 10, 'an integer >= 10'],
      ['heartbeatMs', settings.heartbeatMs > 0 && settings.heartbeatMs < leaseMs, '> 0 and < leaseMs'],
      ['blockTimeoutSec', settings.blockTimeoutSec >= 0, 'seconds >= 0'],
      ['jobTimeoutMs', settings.jobTimeoutMs > 0, '> 0'],
      ['maxAttempts', Number.isInteger(settings.maxAttempts) && settings.maxAttempts >= 1, 'an integer >= 1'],
    ];
    for (const [name, ok, expected] of rules) {
      if (!ok) throw new TypeError(`Expected \`${name}\` to be ${expected}, got \`${String(settings[name])}\` (${typeof settings[name]})`);
    }
    this.id = settings.id;
    this.handle = settings.handle;
    this.leaseMs = leaseMs;
    this.heartbeatMs = settings.heartbeatMs;
    this.blockTimeoutSec = settings.blockTimeoutSec;
    this.jobTimeoutMs = settings.jobTimeoutMs;
    this.maxAttempts = settings.maxAttempts;
  }

  /** Registers the worker, starts its heartbeat and its loop; resolves once the loop runs. */
  start(): Promise<void> {
    this.started ??= this.launch();
    return this.started;
  }

  /** Sets the stop flag; resolves once the job in progress is done and the worker has left. */
  async stop(): Promise<void> {
    // Before anything is awaited: the generator reads it before every BLMOVE.
    this.stopping.abort();
    await this.started?.catch(() => {});
    await this.loop;
  }

  /**
   * Leaves now: the job in progress is given up (its outcome never recorded) and handed back to the
   * head of jobs:waiting, in one step with the unregistering. Resolves with the ids handed back once
   * both connections are closed. A worker waiting in BLMOVE hands back once that returns.
   */
  async handBack(): Promise<string[]> {
    // Asked before: the first call has the ids.
    if (this.leaving) {
      await this.loop;
      return [];
    }
    this.leaving = true;
    this.stopping.abort();
    this.current?.abort('hand-back');
    await this.started?.catch(() => {});
    return (await this.loop) ?? [];
  }

  private async launch(): Promise<void> {
    // A BLMOVE holds its connection: the heartbeat needs another one.
    const conn = connect(`worker-${this.id}`);
    const beat = connect(`heartbeat-${this.id}`);
    let heartbeat: ReturnType<QueueWorker['beat']> | undefined;
    try {
      this.clientId = (await conn.client('ID')) as number;
      // Each reconnect is a new connection with a new id. Only the heartbeat connection can ask for it
      // at once (the BLMOVE one runs the BLMOVE ioredis sends again first): the client of that name
      // that connected last.
      conn.on('ready', () => {
        void beat
          .client('LIST', 'TYPE', 'normal')
          .then((list) => {
            let youngest: { id: number; age: number } | undefined;
            for (const line of String(list).split('\n')) {
              const fields = new Map(line.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
              if (fields.get('name') !== conn.options.connectionName) continue;
              const candidate = { id: Number(fields.get('id')), age: Number(fields.get('age')) };
              if (!youngest || candidate.age < youngest.age || (candidate.age === youngest.age && candidate.id > youngest.id)) youngest = candidate;
            }
            if (youngest) this.clientId = youngest.id;
          })
          .catch(() => {});
      });
      heartbeat = this.beat(beat);
      await heartbeat.first;
    } catch (error) {
      await heartbeat?.stop();
      await Promise.allSettled([conn.quit(), beat.quit()]);
      throw error;
    }
    this.loop = this.live(conn, beat, heartbeat);
    this.loop.catch(() => {});
  }

  /** Renews the lease now and then every heartbeatMs, one renewal at a time, until stop(). */
  private beat(beat: Redis): { first: Promise<unknown>; stop: () => Promise<void> } {
    // SADD at every beat too: a worker unregistered after a stall registers again.
    const renew = () => beat.multi().set(keys.alive(this.id), String(process.pid), 'PX', this.leaseMs).sadd(keys.workers, this.id).exec();
    let on = true;
    let timer: NodeJS.Timeout | undefined;
    let last: Promise<unknown> = renew();
    const next = (from: number) => {
      if (on) timer = setTimeout(tick, Math.max(0, from + this.heartbeatMs - Date.now()));
    };
    const tick = () => {
      const from = Date.now();
      last = renew().catch(() => {}).finally(() => next(from));
    };
    const first = last;
    void first.then(() => next(Date.now()), () => {});
    return {
      first,
      stop: async () => {
        on = false;
        clearTimeout(timer);
        await last.catch(() => {});
      },
    };
  }

  /** BLMOVE after BLMOVE until the stop signal; null (the timeout, CLIENT UNBLOCK) just goes round. */
  private async *jobs(conn: Redis): AsyncGenerator<string> {
    while (!this.stopping.signal.aborted) {
      this.blocking = true;
      let raw: string | null;
      try {
        // BLMOVE, not BLPOP: the job stays in Redis, in our processing list, until it is acknowledged.
        raw = await conn.blmove(keys.waiting, keys.processing(this.id), 'LEFT', 'LEFT', this.blockTimeoutSec);
      } finally {
        this.blocking = false;
      }
      if (raw !== null) yield raw;
    }
  }

  private async live(conn: Redis, beat: Redis, heartbeat: { stop: () => Promise<void> }): Promise<string[]> {
    try {
      for await (const raw of this.jobs(conn)) {
        // Taken while handBack() was asked for: it goes back with the rest, unrun.
        if (this.leaving) break;
        if ((await this.runOne(conn, raw)) === 'hand-back') break;
      }
      // Only the loop sends on this connection: an acknowledgement it sent has run before this.
      const ids = this.leaving ? ((await conn.eval(LEAVE, 5, keys.processing(this.id), keys.waiting, keys.status, keys.alive(this.id), keys.workers, this.id)) as string[]) : [];
      // The last renewal first, then the DEL on the same connection: no renewal lands after it.
      await heartbeat.stop();
      await beat.multi().del(keys.alive(this.id)).srem(keys.workers, this.id).exec();
      return ids;
    } finally {
      await heartbeat.stop();
      await Promise.allSettled([conn.quit(), beat.quit()]);
    }
  }

  /** Runs one job to its end: recorded and acknowledged, or given up at its time limit or for handBack(). */
  private async runOne(conn: Redis, raw: string): Promise<'done' | 'timeout' | 'hand-back'> {
    const processing = keys.processing(this.id);
    // The id the reaper and GET know too, even when the text cannot be decoded.
    const id = jobId(raw);
    let job: Job;
    try {
      job = parseJob(raw);
    } catch (error) {
      return this.record(conn, raw, id, { ok: false, error: message(error) });
    }
    await conn.hset(keys.status, id, 'processing');
    const outcome = await this.attempt(job);
    if ('abandoned' in outcome) {
      // Given up for handBack(): the loop hands it back as it leaves, and records nothing.
      if (outcome.abandoned === 'hand-back') return 'hand-back';
      await conn.eval(GIVE_UP, 5, processing, keys.waiting, keys.dead, keys.attempts, keys.status, raw, id, this.maxAttempts);
      return 'timeout';
    }
    return this.record(conn, raw, id, outcome);
  }

  /**
   * Records the outcome and acknowledges, in one MULTI, if the job is still in our processing list:
   * WATCHed, so the MULTI does nothing when the list changed meanwhile, and we look again.
   */
  private async record(conn: Redis, raw: string, id: string, outcome: Outcome): Promise<'done'> {
    const processing = keys.processing(this.id);
    for (;;) {
      await conn.watch(processing);
      // Not there: the reaper gave it back while we stalled past our lease, and it is not ours to record.
      if ((await conn.lpos(processing, raw)) === null) {
        await conn.unwatch();
        return 'done';
      }
      // The exact text BLMOVE gave: LREM compares text, and a re-encoded job would not match.
      const replies = await conn.multi().lrem(processing, 1, raw).hset(keys.results, id, JSON.stringify(outcome)).hset(keys.status, id, outcome.ok ? 'done' : 'failed').exec();
      if (replies) return 'done';
    }
  }

  /** handle() raced against the job's own signal, which its time limit or handBack() aborts. */
  private async attempt(job: Job): Promise<Outcome | Abandoned> {
    const current = new AbortController();
    this.current = current;
    // handBack() may have come while the status was being written.
    if (this.leaving) current.abort('hand-back');
    const timer = setTimeout(() => current.abort('timeout'), this.jobTimeoutMs);
    try {
      return await Promise.race([
        Promise.resolve()
          .then(() => this.handle(job))
          .then(
            (value): Outcome => ({ ok: true, value: value ?? null }),
            (error: unknown): Outcome => ({ ok: false, error: message(error) }),
          ),
        abandoned(current.signal),
      ]);
    } finally {
      clearTimeout(timer);
      this.current = undefined;
    }
  }
}
