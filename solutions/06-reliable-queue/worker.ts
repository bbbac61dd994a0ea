import { randomBytes } from 'node:crypto';
import { connect, type Redis } from '#workshop/redis';
import { keys, parseJob, type Job, type Outcome } from './jobs.ts';

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
  /** CLIENT ID of the connection that BLMOVEs, once start() has resolved. */
  clientId?: number;
  /** True while a BLMOVE is out (sent and not answered). */
  blocking = false;
  private stopping = false;
  private started?: Promise<void>;
  private loop?: Promise<void>;

  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
    const { id = `w-${randomBytes(4).toString('hex')}`, handle, leaseMs = 30_000, blockTimeoutSec = 30 } = options;
    const heartbeatMs = options.heartbeatMs ?? Math.max(5, Math.floor(leaseMs / 3));
    if (typeof id !== 'string' || !/^[\w.:-]+$/.test(id)) throw new TypeError(`Expected \`id\` to be letters, digits, . : _ or -, got \`${id}\``);
    if (typeof handle !== 'function') throw new TypeError(`Expected \`handle\` to be a function, got \`${String(handle)}\` (${typeof handle})`);
    if (!Number.isInteger(leaseMs) || leaseMs < 10) throw new TypeError(`Expected \`leaseMs\` to be an integer >= 10, got \`${leaseMs}\``);
    if (!(heartbeatMs > 0 && heartbeatMs < leaseMs)) throw new TypeError(`Expected \`heartbeatMs\` to be > 0 and < leaseMs, got \`${heartbeatMs}\``);
    if (!(blockTimeoutSec >= 0)) throw new TypeError(`Expected \`blockTimeoutSec\` to be seconds >= 0, got \`${blockTimeoutSec}\``);
    this.id = id;
    this.leaseMs = leaseMs;
    this.heartbeatMs = heartbeatMs;
    this.blockTimeoutSec = blockTimeoutSec;
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

  private async launch(): Promise<void> {
    // Two connections: a BLMOVE holds its connection, and the heartbeat must not wait behind it.
    const conn = connect(`worker-${this.id}`);
    const beat = connect(`heartbeat-${this.id}`);
    this.clientId = (await conn.client('ID')) as number;
    const renew = () => beat.set(keys.alive(this.id), String(process.pid), 'PX', this.leaseMs);
    // Alive and registered together: the reaper never sees a registered worker without its heartbeat.
    await beat.multi().set(keys.alive(this.id), String(process.pid), 'PX', this.leaseMs).sadd(keys.workers, this.id).exec();
    const timer = setInterval(() => void renew().catch(() => {}), this.heartbeatMs);
    this.loop = this.live(conn, beat, timer);
    this.loop.catch(() => {});
  }

  private async live(conn: Redis, beat: Redis, timer: NodeJS.Timeout): Promise<void> {
    try {
      await this.work(conn);
      // Only now: the heartbeat must go on while the last job finishes.
      clearInterval(timer);
      // Left with an empty processing list: nothing for the reaper to give back. On the heartbeat's
      // connection, so that no renewal sent before arrives after the DEL.
      await beat.multi().del(keys.alive(this.id)).srem(keys.workers, this.id).exec();
    } finally {
      clearInterval(timer);
      await Promise.allSettled([conn.quit(), beat.quit()]);
    }
  }

  private async work(conn: Redis): Promise<void> {
    const processing = keys.processing(this.id);
    while (!this.stopping) {
      this.blocking = true;
      // BLMOVE, not BLPOP: the job stays in Redis, in our processing list, until we acknowledge it.
      const raw = await conn.blmove(keys.waiting, processing, 'LEFT', 'LEFT', this.blockTimeoutSec).finally(() => (this.blocking = false));
      if (raw === null) continue;
      const outcome = await this.run(conn, raw);
      await conn
        .multi()
        // LREM with the exact text BLMOVE gave us: a re-encoded job would not match.
        .lrem(processing, 1, raw)
        .hset(keys.results, outcome.id, JSON.stringify(outcome.outcome))
        .hset(keys.status, outcome.id, outcome.outcome.ok ? 'done' : 'failed')
        .exec();
    }
  }

  private async run(conn: Redis, raw: string): Promise<{ id: string; outcome: Outcome }> {
    let job: Job;
    try {
      job = parseJob(raw);
    } catch (error) {
      return { id: raw, outcome: { ok: false, error: (error as Error).message } };
    }
    await conn.hset(keys.status, job.id, 'processing');
    try {
      return { id: job.id, outcome: { ok: true, value: (await this.options.handle(job)) ?? null } };
    } catch (error) {
      // One bad job must not end the worker: its error is its result.
      return { id: job.id, outcome: { ok: false, error: error instanceof Error ? error.message : String(error) } };
    }
  }
}
