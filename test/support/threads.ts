/**
 * Keeps a list of the worker threads that learner code starts, so that a check can tell whether
 * any is still running, name it when a check fails, and end it so that nothing outlives a check.
 *
 * It works by replacing `Worker` in `node:worker_threads` before any learner module loads
 * (`syncBuiltinESMExports` makes `import { Worker } from 'node:worker_threads'` see the change).
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';
import { explainThreadLoadError } from '../../workshop/checks/thread-load-error.ts';
import { seedFromEnv, streamOf, withSchedule } from '../../workshop/perturb/schedule.ts';

export interface LiveThread {
  worker: NodeWorker;
  /** The worker's file name, such as `cook.ts`. */
  file: string;
  /** What it was started with (`workerData`), such as a KitchenJob. */
  data: unknown;
  startedAt: number;
  /** True once the thread runs its code ('online'): ended before that, a thread exits with code 0, after it with 1. */
  online: boolean;
}

const require = createRequire(import.meta.url);
const threads = require('node:worker_threads') as typeof import('node:worker_threads');
const live = new Set<LiveThread>();
let started = 0;
// Perturbation (workshop/perturb): the run's seed, and the check whose threads are being started.
const seed = seedFromEnv();
let check = '';
let startedInCheck = 0;

if (!(threads.Worker as { tracked?: boolean }).tracked) {
  const Original = threads.Worker;
  class TrackedWorker extends Original {
    static tracked = true;
    constructor(filename: string | URL, options?: WorkerOptions) {
      // The nth thread of a check gets the same schedule whatever ran before the check.
      super(filename, seed === undefined ? options : withSchedule(options, seed, streamOf(seed, check, ++startedInCheck)));
      const entry: LiveThread = { worker: this, file: describeFile(filename, options), data: options?.workerData, startedAt: Date.now(), online: false };
      this.once('online', () => (entry.online = true));
      started++;
      live.add(entry);
      this.once('exit', () => live.delete(entry));
    }

    // A file Node cannot load (an enum, an import without .ts) fails the thread with Node's terse
    // words; the learner's handler, or the uncaught error, gets the file, the line and the fix.
    // emit() rather than a listener: a listener would swallow an error nobody else handles.
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error') explainThreadLoadError(args[0]);
      return super.emit(event, ...args);
    }
  }
  threads.Worker = TrackedWorker;
  syncBuiltinESMExports();
}

function describeFile(filename: string | URL, options?: WorkerOptions): string {
  if (options?.eval) return '(inline code)';
  const path = filename instanceof URL ? fileURLToPath(filename) : String(filename).startsWith('file:') ? fileURLToPath(String(filename)) : String(filename);
  return basename(path);
}

/** Called before each check: its threads' schedules are drawn from the seed and its name. */
export function scheduleCheck(name: string): void {
  check = name;
  startedInCheck = 0;
}

/** Worker threads started in this process that have not exited yet. */
export function liveThreads(): LiveThread[] {
  return [...live];
}

/** How many worker threads were started in this process so far. */
export function threadsStarted(): number {
  return started;
}

/** Ends every worker thread still running; resolves when all have exited. */
export async function endThreads(): Promise<LiveThread[]> {
  const left = liveThreads();
  await Promise.all(left.map((entry) => entry.worker.terminate().catch(() => 0)));
  return left;
}
