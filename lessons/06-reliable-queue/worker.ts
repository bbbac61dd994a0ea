import { connect, type Redis } from '#workshop/redis';
import { jobId, keys, parseJob, type Job, type Outcome } from './jobs.ts';

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

  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
    // TODO: check the options first: a TypeError naming the option and the value you got
    //       (handle: a function; leaseMs: an integer >= 10; heartbeatMs: > 0 and < leaseMs;
    //       blockTimeoutSec: seconds >= 0; jobTimeoutMs: > 0; maxAttempts: an integer >= 1;
    //       id: letters, digits, . : _ or -).
    this.id = options.id ?? `w-${process.pid}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.floor(this.leaseMs / 3);
    this.blockTimeoutSec = options.blockTimeoutSec ?? 30;
    this.jobTimeoutMs = options.jobTimeoutMs ?? 300_000;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** Registers the worker, starts its heartbeat and its loop; resolves once the loop runs. */
  start(): Promise<void> {
    // TODO: two connections: connect(`worker-${id}`) for BLMOVE, and a second one for the heartbeat
    //       (a BLMOVE holds its connection: a renewal sent on it would wait until a job comes).
    // TODO: clientId = CLIENT ID of the BLMOVE connection (app.ts unblocks it by that id). A reconnect gives
    //       that connection a new id: on each conn.on('ready'), find it again from the heartbeat connection
    //       (CLIENT LIST, the line with your connection's name, conn.options.connectionName). Not with CLIENT ID
    //       on the BLMOVE connection: ioredis has sent the cut-off BLMOVE again, and CLIENT ID waits behind it.
    // TODO: in one MULTI: SET keys.alive(id) PX leaseMs, and SADD keys.workers id. Then renew both, the
    //       same MULTI, every heartbeatMs with setInterval, on the heartbeat connection. The SADD at every
    //       beat matters: a worker stalled past its lease (a long GC pause, SIGSTOP) is reaped and
    //       unregistered; when it comes back and dies later, the reaper must find it again.
    // TODO: start the loop (do not await it), and resolve. Calling start() twice returns the same promise.
    // TODO: the loop, while the stop flag is not set:
    //       raw = BLMOVE keys.waiting keys.processing(id) LEFT LEFT blockTimeoutSec (null: go round);
    //       `blocking` is true while the BLMOVE is out. Key everything by jobId(raw) (the reaper does
    //       too). HSET keys.status "processing", run handle(parseJob(raw)); its outcome is
    //       { ok: true, value } or { ok: false, error: message }.
    //       Then ONE Lua script: LREM keys.processing(id) 1 raw (the exact string BLMOVE gave you),
    //       and only if it removed the job (answered 1): HSET keys.results id <outcome JSON>, HSET
    //       keys.status id "done" or "failed". (Past its lease, the reaper may have given the job to
    //       another worker: then it is not yours to record.)
    // TODO: a time limit: race handle() against a jobTimeoutMs timer (clear it after). Past it, the job
    //       is a failed attempt, in one Lua script: LREM it from processing, HINCRBY keys.attempts,
    //       then RPUSH it to keys.waiting with status "waiting", or, once the attempts reach
    //       maxAttempts, RPUSH it to keys.dead with status "dead". Then take the next job; whatever
    //       the abandoned handle() returns later is never recorded.
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

  /**
   * Leaves now: the job in progress is given up (its outcome never recorded) and handed back to the
   * head of jobs:waiting, in one step with the unregistering. Resolves with the ids handed back once
   * both connections are closed. For a shutdown that cannot wait (app.ts's close() past its deadline).
   * Its script goes on the BLMOVE connection: a worker waiting in BLMOVE hands back once that returns
   * (app.ts has unblocked every worker before).
   */
  handBack(): Promise<string[]> {
    // TODO: set the stop flag; resolve [] if the worker never started or its loop has ended.
    // TODO: on the BLMOVE connection (it is free while a job runs, and an acknowledgement already sent
    //       then runs first), EVAL one Lua script: RPOP each job of keys.processing(id), LPUSH it onto
    //       keys.waiting, HSET its status (job_id(raw), LUA_JOB_ID in jobs.ts) "waiting"; DEL the alive
    //       key, SREM the id from keys.workers; return the ids. No attempt is counted: leaving is not failing.
    // TODO: right after sending it (before awaiting), tell the loop to give up the job: the race in
    //       the loop (handle() against the time limit) gets a third runner that settles now, and the loop
    //       then ends without recording or acknowledging. Await the script, then the loop; return the ids.
    return Promise.reject(new Error('TODO: QueueWorker.handBack() is not written yet (lessons/06-reliable-queue/worker.ts)'));
  }
}
