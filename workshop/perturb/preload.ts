/**
 * Loaded by Node (`--import`) into every worker thread a check starts while perturbation is on,
 * before the thread's own file: wraps the thread's Atomics after its schedule (see schedule.ts),
 * and gives each thread it starts in turn a schedule of its own.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { WorkerOptions } from 'node:worker_threads';
import { perturbAtomics, planFor, SCHEDULE_VARIABLE, streamOf, withSchedule } from './schedule.ts';

const [seedText, streamText] = (process.env[SCHEDULE_VARIABLE] ?? '').split(':');
const seed = Number(seedText);
const stream = Number(streamText);

if (Number.isSafeInteger(seed) && Number.isSafeInteger(stream)) {
  perturbAtomics(planFor(stream));
  const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const Original = threads.Worker;
  let children = 0;
  class PerturbedWorker extends Original {
    constructor(filename: string | URL, options?: WorkerOptions) {
      super(filename, withSchedule(options, seed, streamOf(stream, ++children)));
    }
  }
  threads.Worker = PerturbedWorker;
  syncBuiltinESMExports();
}
