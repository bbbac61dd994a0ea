import { connect, type Redis } from '#workshop/redis';

/** Does one job. `worker` is the worker's number, 1 to `workers`. */
export type JobHandler = (job: string, worker: number) => void | Promise<void>;

export interface WorkerPoolOptions {
  /** How many workers; each gets a connection of its own. */
  workers: number;
  /** The list the jobs wait in. @default 'jobs' */
  queue?: string;
  /** How long one BLPOP waits, in seconds (0: for ever); stop() does not wait for it. @default 30 */
  blockTimeoutSec?: number;
  /** Called with each job; the worker takes its next job only once this has settled. */
  handle: JobHandler;
  /** Called when handle() throws; the worker then goes on with the next job. @default console.error */
  onError?: (error: unknown, job: string, worker: number) => void;
}

/**
 * Workers that take jobs from a Redis list, each an async loop on a dedicated connection.
 * `stop()` ends them at once with CLIENT UNBLOCK instead of waiting out their BLPOP.
 *
 * @example
 * const pool = new WorkerPool({ workers: 2, handle: (job, n) => console.log(`worker ${n}: ${job}`) });
 * await pool.start();
 * await pool.stop();
 */
export class WorkerPool {
  readonly queue: string;
  readonly blockTimeoutSec: number;

  private readonly options: WorkerPoolOptions;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
    // TODO: check the options first: throw a TypeError naming the option and the value you got
    //       (workers: an integer >= 1; blockTimeoutSec: seconds >= 0; handle: a function).
    this.queue = options.queue ?? 'jobs';
    this.blockTimeoutSec = options.blockTimeoutSec ?? 30;
  }

  /** The CLIENT ID of each worker's connection, worker 1 first, once start() has resolved. */
  get clientIds(): number[] {
    // TODO: keep the id each worker got from CLIENT ID, and return them here.
    return [];
  }

  /** Starts the workers; resolves once every one of them waits in BLPOP (or the pool is stopping). */
  start(): Promise<void> {
    // TODO: for each worker: its own connect(`worker-${n}`), and its loop started, not awaited. The loop:
    //       ask CLIENT ID first; then, while the stop flag is not set: BLPOP(queue, blockTimeoutSec);
    //       null means a timeout or an UNBLOCK, so go round; a job: await handle(job, n), and hand
    //       what it throws to onError. When the loop ends, quit() the connection.
    // TODO: resolve once Redis lists every worker's id as blocked: ask blockedClientIds() on another
    //       connection every few ms, then quit that one. Calling start() twice returns the same promise.
    return Promise.reject(new Error('TODO: WorkerPool.start() is not written yet (lessons/05-client-unblock/worker-pool.ts)'));
  }

  /** Ends every worker at once; a job in progress finishes first. Calling it again returns the same promise. */
  stop(): Promise<void> {
    // TODO: set the stop flag first, before anything is awaited.
    // TODO: from another connection, send CLIENT UNBLOCK <id> for each worker. It answers 0 when that
    //       worker is not blocked: busy with a job (it sees the flag when done) or with its BLPOP still
    //       on the way to Redis (send it again). Quit that connection.
    // TODO: then wait for every loop to end (a job in progress finishes first).
    return Promise.reject(new Error('TODO: WorkerPool.stop() is not written yet (lessons/05-client-unblock/worker-pool.ts)'));
  }
}

/** Given: the ids of the clients Redis lists as blocked (flag `b` in CLIENT LIST). */
export async function blockedClientIds(conn: Redis): Promise<Set<number>> {
  const list = String(await conn.client('LIST'));
  const blocked = list.split('\n').filter((line) => /\bflags=\S*b/.test(line));
  return new Set(blocked.map((line) => Number(/\bid=(\d+)/.exec(line)?.[1])));
}
