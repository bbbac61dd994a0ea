import { Worker } from 'node:worker_threads';

/** What one dryer did: the dishes it dried, in order, and why it stopped. */
export interface DryerReport {
  /** 1 for the first dryer, 2 for the second, and so on. */
  id: number;
  dried: string[];
  /** `quit`: it took a quit from the list; `timeout`: no dish came for `timeoutSec`. */
  reason: 'quit' | 'timeout';
}

export interface DryersOptions {
  /** How many dryers run at once, each in a worker thread of its own. */
  dryers: number;
  /** How long a dryer waits for a dish before it stops, in seconds (0.5 is half a second). */
  timeoutSec: number;
  /** How long drying one dish takes, in milliseconds. */
  workMs: number;
  /** The list the dishes are in. @default 'dishes' */
  queue?: string;
}

/** What the main thread hands each dryer thread as `workerData`. */
export interface DryerJob {
  id: number;
  queue: string;
  timeoutSec: number;
  workMs: number;
}

/**
 * Runs `dryers` dryers at once, each in its own worker thread with its own Redis connection,
 * all taking dishes from the same list. Each stops on `quit` or when no dish came for `timeoutSec`.
 *
 * @returns one report per dryer, by id, once every thread has exited.
 * @example
 * const reports = await runDryers({ dryers: 3, timeoutSec: 20, workMs: 100 });
 * for (const { id, dried, reason } of reports) console.log(`dryer ${id} dried ${dried.length}, stopped by ${reason}`);
 */
export async function runDryers(options: DryersOptions): Promise<DryerReport[]> {
  const { dryers, timeoutSec, workMs, queue = 'dishes' } = options;
  if (!Number.isInteger(dryers) || dryers < 1) throw new TypeError(`Expected \`dryers\` to be a whole number >= 1, got \`${dryers}\``);
  if (!(timeoutSec > 0) || !Number.isFinite(timeoutSec)) {
    throw new TypeError(`Expected \`timeoutSec\` to be a number of seconds > 0 (0 would wait for ever), got \`${timeoutSec}\``);
  }
  if (!(workMs >= 0) || !Number.isFinite(workMs)) throw new TypeError(`Expected \`workMs\` to be a number >= 0, got \`${workMs}\``);
  if (typeof queue !== 'string' || queue === '') throw new TypeError(`Expected \`queue\` to be a list name, got \`${String(queue)}\``);

  // TODO: start one worker thread per dryer, ids 1 to `dryers`, each given its DryerJob:
  //   new Worker(new URL('./dryer-worker.ts', import.meta.url), { workerData: job })
  // TODO: keep the report each thread posts ('message'); settle on 'exit', when the thread is gone
  //   (reject on 'error', or on an exit without a report).
  // TODO: resolve with all the reports once every thread has exited.
  throw new Error('TODO: runDryers() is not written yet: it should start one worker thread per dryer');
}
