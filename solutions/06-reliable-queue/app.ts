import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
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
  /** How long close() waits for the jobs in progress; past it they are handed back to jobs:waiting (Infinity: no limit). @default 10000 */
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
  const tasks = options.handle ? undefined : connect('tasks');
  const handle = options.handle ?? ((job) => perform(tasks!, job));
  const workers = Array.from({ length: count }, (_, i) => new QueueWorker({ id: `app-${process.pid}-${i + 1}`, handle, blockTimeoutSec, leaseMs, jobTimeoutMs, maxAttempts }));
  await Promise.all(workers.map((worker) => worker.start()));
  const reaperConn = connect('reaper');
  const reaper = startReaper(reaperConn, { maxAttempts, intervalMs: reapIntervalMs });
  const http = connect('http');
  const server = createServer(http, { maxBodyBytes, idempotencyTtlMs });
  const conns = [http, reaperConn, ...(tasks ? [tasks] : [])];
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  } catch (error) {
    // The port is taken (or the host wrong): nothing this start began may keep running.
    await shutdown(server, workers, reaper, conns, 0);
    throw error;
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<Closed> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    port: actualPort,
    workers,
    close: ({ deadlineMs = 10_000 }: CloseOptions = {}) => {
      if (!closing && !(deadlineMs >= 0)) return Promise.reject(new TypeError(`Expected \`deadlineMs\` to be >= 0, got \`${deadlineMs}\``));
      return (closing ??= shutdown(server, workers, reaper, conns, deadlineMs));
    },
  };
}

async function shutdown(server: Server, workers: QueueWorker[], reaper: { stop(): Promise<void> }, conns: Redis[], deadlineMs: number): Promise<Closed> {
  const deadline = performance.now() + deadlineMs;
  // 1. Take no new requests; the ones in flight still get their answer.
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // 2. The stop flags before anything is awaited, so no worker takes a new job from here on.
  const stopped = workers.map((worker) => worker.stop());
  // 3. Wake the idle workers from another connection; a busy one finishes its job, then sees its flag.
  const control = connect('shutdown');
  try {
    await Promise.all(workers.map((worker) => unblock(control, worker)));
  } finally {
    await control.quit();
  }
  // 4. The jobs in progress finish, until the deadline: then they go back to waiting, whole.
  const handedBack: string[] = [];
  let cancel = () => {};
  const late = new Promise<'late'>((resolve) => (cancel = atDeadline(deadline, () => resolve('late'))));
  const all = Promise.all(stopped);
  if ((await Promise.race([all, late]).finally(() => cancel())) === 'late') {
    for (const ids of await Promise.all(workers.map((worker) => worker.handBack()))) handedBack.push(...ids);
    // Requests still in flight past the deadline are cut.
    server.closeAllConnections();
  }
  await all;
  await reaper.stop();
  // Connections that turned idle meanwhile would keep server.close() waiting; a request still in
  // flight (a client sending its body slowly) gets until the deadline.
  server.closeIdleConnections();
  const uncut = atDeadline(deadline, () => server.closeAllConnections());
  await serverClosed;
  uncut();
  await Promise.all(conns.map((conn) => conn.quit()));
  return { handedBack };
}

/** The longest delay setTimeout takes: a longer one fires at once, with a warning. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Calls `fn` at `deadline` (a performance.now() time); returns what cancels it. A deadline further
 * than MAX_DELAY away (deadlineMs: Infinity waits for ever) waits in steps of MAX_DELAY.
 */
function atDeadline(deadline: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = deadline - performance.now();
    timer = left > MAX_DELAY ? setTimeout(arm, MAX_DELAY) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(timer);
}

async function unblock(control: Redis, worker: QueueWorker): Promise<void> {
  // UNBLOCK answers 0 while a BLMOVE is still on its way to Redis: try again while it is out.
  while (worker.blocking) {
    if ((await control.client('UNBLOCK', worker.clientId!)) === 1) return;
    await pause(1);
  }
}
