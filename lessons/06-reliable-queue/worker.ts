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

  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
    // TODO: check the options first: a TypeError naming the option and the value you got
    //       (handle: a function; leaseMs: an integer >= 10; heartbeatMs: > 0 and < leaseMs;
    //       blockTimeoutSec: seconds >= 0; id: letters, digits, . : _ or -).
    this.id = options.id ?? `w-${process.pid}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.floor(this.leaseMs / 3);
    this.blockTimeoutSec = options.blockTimeoutSec ?? 30;
  }

  /** Registers the worker, starts its heartbeat and its loop; resolves once the loop runs. */
  start(): Promise<void> {
    // TODO: two connections: connect(`worker-${id}`) for BLMOVE, and a second one for the heartbeat
    //       (a BLMOVE holds its connection: a renewal sent on it would wait until a job comes).
    // TODO: clientId = CLIENT ID of the BLMOVE connection (app.ts unblocks it by that id).
    // TODO: in one MULTI: SET keys.alive(id) PX leaseMs, and SADD keys.workers id. Then renew the
    //       alive key every heartbeatMs with setInterval, on the heartbeat connection.
    // TODO: start the loop (do not await it), and resolve. Calling start() twice returns the same promise.
    // TODO: the loop, while the stop flag is not set:
    //       raw = BLMOVE keys.waiting keys.processing(id) LEFT LEFT blockTimeoutSec (null: go round);
    //       `blocking` is true while the BLMOVE is out. HSET keys.status "processing", run
    //       handle(parseJob(raw)); its outcome is { ok: true, value } or { ok: false, error: message }.
    //       Then ONE MULTI: LREM keys.processing(id) 1 raw (the exact string BLMOVE gave you),
    //       HSET keys.results id <outcome JSON>, HSET keys.status id "done" or "failed".
    // TODO: when the loop ends: clearInterval, then DEL the alive key and SREM the id (on the heartbeat
    //       connection, after the last renewal), then quit() both connections.
    return Promise.reject(new Error('TODO: QueueWorker.start() is not written yet (lessons/06-reliable-queue/worker.ts)'));
  }

  /** Sets the stop flag; resolves once the job in progress is done and the worker has left. */
  stop(): Promise<void> {
    // TODO: set the stop flag first; resolve at once if the worker never started, else await its loop.
    //       stop() does not unblock a BLMOVE: it returns within blockTimeoutSec, or at once when
    //       app.ts sends CLIENT UNBLOCK.
    return Promise.reject(new Error('TODO: QueueWorker.stop() is not written yet (lessons/06-reliable-queue/worker.ts)'));
  }
}
