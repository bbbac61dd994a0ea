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

/**
 * The whole queue in one process: workers, a reaper and the HTTP front.
 *
 * @example
 * const app = await startApp({ workers: 3, port: 8080 });
 * process.once('SIGTERM', () => void app.close());
 */
export async function startApp(options: AppOptions = {}): Promise<App> {
  // TODO: the handle: options.handle, or (job) => perform(tasks, job) with a connection of its own.
  // TODO: `workers` QueueWorkers (ids unique, such as `app-${process.pid}-${n}`), all started;
  //       startReaper() on a connection of its own; createServer() on another, listening on
  //       port and host. Pass the options on (jobTimeoutMs and maxAttempts to the workers too, and
  //       idempotencyTtlMs to the server). Resolve with the url, the port actually bound, the workers and close().
  //       If listen() fails (the port is taken), stop everything started so far, as close() does, and reject with its error.
  // TODO: close(), the same promise each time:
  //       1. server.close() first, so no new connection comes in; closeIdleConnections().
  //       2. every worker's stop() BEFORE anything is awaited: the flags are set.
  //       3. from another connection, CLIENT UNBLOCK worker.clientId, again while worker.blocking
  //          (it answers 0 while the BLMOVE is still on its way); then quit that connection.
  //       4. await the stops (a job in progress finishes and is acknowledged), the reaper's stop(),
  //          the server's close (closeIdleConnections() again first), and quit() your connections.
  throw new Error('TODO: startApp() is not written yet (lessons/06-reliable-queue/app.ts)');
}

/** Given: how long to wait between two CLIENT UNBLOCK tries. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
