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

/** One worker: `inBlpop` while a BLPOP is out; `placed` once Redis has blocked it (or answered) the first time. */
interface Worker {
  n: number;
  conn: Redis;
  id?: number;
  inBlpop: boolean;
  placed: boolean;
  loop?: Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logFailure = (error: unknown, job: string, n: number) => console.error(`worker ${n}: job ${JSON.stringify(job)} failed:`, error);

/**
 * Workers that take jobs from a Redis list, each an async loop on a dedicated connection.
 * `stop()` ends them at once with CLIENT UNBLOCK instead of waiting out their BLPOP.
 *
 * @example
 * const pool = new WorkerPool({ workers: 2, handle: (job, n) => console.log(`worker ${n}: ${job}`) });
 * await pool.start();
 * // ... RPUSH jobs onto 'jobs' from anywhere ...
 * await pool.stop();
 */
export class WorkerPool {
  readonly queue: string;
  readonly blockTimeoutSec: number;
  private readonly workers: Worker[] = [];
  private stopping = false;
  private started?: Promise<void>;
  private stopped?: Promise<void>;
  /** Watches the workers block in start(), then sends CLIENT UNBLOCK in stop(): opened once, ready when stop() comes. */
  private control?: Redis;

  private readonly options: WorkerPoolOptions;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
    const { workers, queue = 'jobs', blockTimeoutSec = 30, handle } = options;
    if (!Number.isInteger(workers) || workers < 1) throw new TypeError(`Expected \`workers\` to be an integer >= 1, got \`${workers}\` (${typeof workers})`);
    if (typeof queue !== 'string' || !queue) throw new TypeError(`Expected \`queue\` to be a list name, got \`${queue}\` (${typeof queue})`);
    if (!(blockTimeoutSec >= 0)) throw new TypeError(`Expected \`blockTimeoutSec\` to be seconds >= 0, got \`${blockTimeoutSec}\` (${typeof blockTimeoutSec})`);
    if (typeof handle !== 'function') throw new TypeError(`Expected \`handle\` to be a function, got \`${String(handle)}\` (${typeof handle})`);
    this.queue = queue;
    this.blockTimeoutSec = blockTimeoutSec;
  }

  /** The CLIENT ID of each worker's connection, worker 1 first, once start() has resolved. */
  get clientIds(): number[] {
    return this.workers.flatMap((worker) => (worker.id === undefined ? [] : [worker.id]));
  }

  /** Starts the workers; resolves once every one of them waits in BLPOP (or the pool is stopping). */
  start(): Promise<void> {
    this.started ??= this.launch();
    return this.started;
  }

  /** Ends every worker at once; a job in progress finishes first. Calling it again returns the same promise. */
  stop(): Promise<void> {
    // The flag first: any worker that wakes up from now on sees it before it could block again.
    this.stopping = true;
    // A safety net: a worker that has not left after 5 s is dropped.
    setTimeout(() => {
      for (const worker of this.workers) worker.conn.disconnect();
    }, 5000);
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async launch(): Promise<void> {
    for (let n = 1; n <= this.options.workers; n++) {
      // One connection per worker: a BLPOP holds its connection until it answers.
      const worker: Worker = { n, conn: connect(`worker-${n}`), inBlpop: false, placed: false };
      this.workers.push(worker);
      worker.loop = this.work(worker);
    }
    this.control = connect('pool-control');
    // A loop that fails rejects start() instead of leaving it waiting.
    const failed = Promise.all(this.workers.map((worker) => worker.loop));
    await Promise.race([this.waitPlaced(this.control), failed]);
  }

  private async waitPlaced(control: Redis): Promise<void> {
    // Only Redis knows when a BLPOP has arrived and blocked: ask it rather than guess.
    while (!this.stopping && this.workers.some((worker) => !worker.placed)) {
      const blocked = await blockedClientIds(control);
      for (const worker of this.workers) if (worker.inBlpop && blocked.has(worker.id!)) worker.placed = true;
      await pause(2);
    }
  }

  private async work(worker: Worker): Promise<void> {
    try {
      // Asked before blocking: once BLPOP is sent, this connection answers nothing else.
      worker.id = await worker.conn.client('ID');
      while (!this.stopping) {
        worker.inBlpop = true;
        const popped = await worker.conn.blpop(this.queue, this.blockTimeoutSec).finally(() => (worker.inBlpop = false));
        worker.placed = true;
        // null: the timeout passed or CLIENT UNBLOCK woke us; the loop's condition decides what next.
        if (!popped) continue;
        try {
          // A popped job is gone from Redis: handle it even while stopping, or it is lost.
          await this.options.handle(popped[1], worker.n);
        } catch (error) {
          // One bad job must not end the worker: report it and take the next.
          (this.options.onError ?? logFailure)(error, popped[1], worker.n);
        }
      }
    } finally {
      // QUIT, not disconnect(): it waits for our last reply, so nothing in flight is dropped.
      await worker.conn.quit();
    }
  }

  private async shutdown(): Promise<void> {
    if (!this.started) return;
    // Another connection: each worker's own is busy with its BLPOP and would read UNBLOCK only after it.
    // It was opened in start(), so stop() does not wait for a new connection to be set up.
    const control = this.control!;
    await Promise.all(this.workers.map((worker) => this.unblock(control, worker))).finally(() => control.quit());
    // A job in progress finishes here; each loop then sees the flag and quits its connection.
    await Promise.all(this.workers.map((worker) => worker.loop));
  }

  private async unblock(control: Redis, worker: Worker): Promise<void> {
    // UNBLOCK answers 0 while a BLPOP is still on its way to Redis (or already answered): retry while it is out.
    while (worker.inBlpop) {
      if ((await control.client('UNBLOCK', worker.id!)) === 1) return;
      await pause(1);
    }
  }
}

/** The ids of the clients Redis lists as blocked (flag `b` in CLIENT LIST). */
export async function blockedClientIds(conn: Redis): Promise<Set<number>> {
  const list = String(await conn.client('LIST'));
  const blocked = list.split('\n').filter((line) => /\bflags=\S*b/.test(line));
  return new Set(blocked.map((line) => Number(/\bid=(\d+)/.exec(line)?.[1])));
}
