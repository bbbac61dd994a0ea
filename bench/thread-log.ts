/**
 * Loaded with `--import` into the bench's diagnostic vitest runs (never into a timed one): logs to
 * BENCH_THREAD_LOG each worker thread started and how long it took to come online, and each node
 * child process spawned, so a row can say how much of its time is thread start-up.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';

const log = process.env.BENCH_THREAD_LOG ?? '';
if (log) {
  const require = createRequire(import.meta.url);
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const children = require('node:child_process') as typeof import('node:child_process');
  const Original: typeof NodeWorker = threads.Worker;
  threads.Worker = class LoggedWorker extends Original {
    constructor(filename: string | URL, options?: WorkerOptions) {
      const start = performance.now();
      super(filename, options);
      appendFileSync(log, `thread ${process.pid} start\n`);
      this.once('online', () => appendFileSync(log, `thread ${process.pid} online ${(performance.now() - start).toFixed(1)}\n`));
    }
  };
  const spawn = children.spawn;
  children.spawn = function loggedSpawn(this: unknown, ...args: Parameters<typeof spawn>) {
    if (args[0] === process.execPath) appendFileSync(log, `process ${process.pid} start\n`);
    return (spawn as (...a: unknown[]) => ReturnType<typeof spawn>).apply(this, args);
  } as typeof spawn;
  syncBuiltinESMExports();
}
