/**
 * Alternative to the reference startApp(): close() is a short list of small helpers, one per step
 * of the shutdown, and the deadline is one AbortSignal.timeout() instead of timers set and cleared.
 * The jobs in progress race the signal; the server cuts its requests in flight when it aborts.
 *
 * Still correct: the steps keep their order (server.close(), every flag, CLIENT UNBLOCK, the jobs,
 * the reaper, the server, the connections); the flags are set before the first await; and a signal
 * that aborts after close() has resolved finds nothing listening. Its timer does not hold the process
 * open, but while a job runs its worker's connections do.
 */
import type { Server } from 'node:http';
import { connect, type Redis } from '#workshop/redis';
import { startReaper } from './reaper.ts';
import { createServer } from './server.ts';
import { perform } from './tasks.ts';
import { QueueWorker, type JobHandler } from './worker.ts';

export interface AppOptions {
  /** How many workers, each an async loop with connections of its own. @default 2 */
  workers?: number;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Runs each job. @default the demo task, perform() from tasks.ts */
  handle?: JobHandler;
  /** Passed to each worker. @default 30 */
  blockTimeoutSec?: number;
  /** Passed to each worker. @default 30000 */
  leaseMs?: number;
  /** Passed to the reaper. @default 3 */
  maxAttempts?: number;
  /** Time between reaper rounds, in ms. @default 1000 */
  reapIntervalMs?: number;
  /** Passed to the HTTP server. @default 65536 */
  maxBodyBytes?: number;
  /** Passed to the HTTP server. @default 86400000 (24 h) */
  idempotencyTtlMs?: number;
  /** Passed to each worker: a job running longer is a failed attempt. @default 300000 */
  jobTimeoutMs?: number;
}

export interface CloseOptions {
  /** How long close() waits for the jobs in progress; past it they are handed back to jobs:waiting. @default 10000 */
  deadlineMs?: number;
}

export interface Closed {
  /** The ids of the jobs in progress handed back to jobs:waiting at the deadline (none when all finished in time). */
  handedBack: string[];
}

export interface App {
  /** Such as `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  workers: QueueWorker[];
  /** Stops the whole app gracefully, within deadlineMs; calling it again returns the same promise. */
  close(options?: CloseOptions): Promise<Closed>;
}

/** What close() takes apart. */
interface Parts {
  server: Server;
  workers: QueueWorker[];
  reaper: { stop(): Promise<void> };
  /** The app's own connections: the server's, the reaper's, the demo task's. */
  conns: Redis[];
}

/** The longest delay a Node timer keeps; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The whole queue in one process: workers, a reaper and the HTTP front.
 *
 * @example
 * const app = await startApp({ workers: 3, port: 8080 });
 * process.once('SIGTERM', () => void app.close());
 */
export async function startApp(options: AppOptions = {}): Promise<App> {
  const { workers: count = 2, port = 0, host = '127.0.0.1', blockTimeoutSec = 30, leaseMs, maxAttempts, reapIntervalMs, maxBodyBytes, idempotencyTtlMs, jobTimeoutMs } = options;
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`Expected \`workers\` to be an integer >= 1, got \`${count}\``);
  const conns: Redis[] = [];
  const own = (name: string) => {
    const conn = connect(name);
    conns.push(conn);
    return conn;
  };
  let handle = options.handle;
  if (!handle) {
    const tasks = own('tasks');
    handle = (job) => perform(tasks, job);
  }
  const workers: QueueWorker[] = [];
  for (let n = 1; n <= count; n++) workers.push(new QueueWorker({ id: `app-${process.pid}-${n}`, handle, blockTimeoutSec, leaseMs, jobTimeoutMs, maxAttempts }));
  await Promise.all(workers.map((worker) => worker.start()));
  const reaper = startReaper(own('reaper'), { maxAttempts, intervalMs: reapIntervalMs });
  const server = createServer(own('http'), { maxBodyBytes, idempotencyTtlMs });
  const listening = new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  // A start that fails to listen takes down what it began, with the same steps as close().
  await listening.catch(async (error: unknown) => {
    await shutdown({ server, workers, reaper, conns }, 0);
    throw error;
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<Closed> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    workers,
    close({ deadlineMs = 10_000 }: CloseOptions = {}) {
      if (!closing && !(deadlineMs >= 0)) return Promise.reject(new TypeError(`Expected \`deadlineMs\` to be >= 0, got \`${deadlineMs}\``));
      closing ??= shutdown({ server, workers, reaper, conns }, deadlineMs);
      return closing;
    },
  };
}

async function shutdown({ server, workers, reaper, conns }: Parts, deadlineMs: number): Promise<Closed> {
  const deadline = deadlineAfter(deadlineMs);
  const serverClosed = stopListening(server, deadline);
  // The flags before anything is awaited, so no worker takes a new job from here on.
  const stops = workers.map((worker) => worker.stop());
  await unblockAll(workers);
  const handedBack = await finishOrHandBack(workers, stops, deadline);
  await reaper.stop();
  // Connections that turned idle while the jobs finished would keep server.close() waiting.
  server.closeIdleConnections();
  await serverClosed;
  await Promise.all(conns.map((conn) => conn.quit()));
  return { handedBack };
}

/** Aborts once `ms` have passed; never, for a deadline no timer can keep (Infinity). */
function deadlineAfter(ms: number): AbortSignal {
  // AbortSignal.timeout() takes whole milliseconds only.
  return ms <= MAX_TIMER_MS ? AbortSignal.timeout(Math.ceil(ms)) : new AbortController().signal;
}

/** Resolves when `signal` aborts, at once if it already has. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** Takes no new connections; the requests in flight get until the deadline, then they are cut. Resolves once the server has closed. */
function stopListening(server: Server, deadline: AbortSignal): Promise<void> {
  const cut = () => server.closeAllConnections();
  deadline.addEventListener('abort', cut, { once: true });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed.finally(() => deadline.removeEventListener('abort', cut));
}

/** Wakes every worker waiting in BLMOVE; a busy one finishes its job, then sees its flag. */
async function unblockAll(workers: QueueWorker[]): Promise<void> {
  // Another connection: each worker's own is held by its BLMOVE and would read UNBLOCK only after it.
  const control = connect('shutdown');
  try {
    await Promise.all(workers.map((worker) => unblock(control, worker)));
  } finally {
    await control.quit();
  }
}

async function unblock(control: Redis, worker: QueueWorker): Promise<void> {
  // UNBLOCK answers 0 while a BLMOVE is still on its way to Redis: try again while it is out.
  while (worker.blocking) {
    if ((await control.client('UNBLOCK', worker.clientId!)) === 1) return;
    await pause(1);
  }
}

/** Waits for the jobs in progress until the deadline; past it, hands them back. Resolves with the ids handed back. */
async function finishOrHandBack(workers: QueueWorker[], stops: Promise<void>[], deadline: AbortSignal): Promise<string[]> {
  const finished = Promise.all(stops);
  const first = await Promise.race([finished.then(() => 'finished' as const), aborted(deadline).then(() => 'late' as const)]);
  if (first === 'finished') return [];
  // Back to jobs:waiting, whole: neither lost nor run twice.
  const handedBack = (await Promise.all(workers.map((worker) => worker.handBack()))).flat();
  await finished;
  return handedBack;
}
