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

  const runs = Array.from({ length: dryers }, (_, i) => runDryer({ id: i + 1, queue, timeoutSec, workMs }));
  // allSettled, not all: even when one dryer fails, wait until every thread has ended.
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<DryerReport>).value);
}

/** Starts one dryer thread; resolves with its report once the thread has exited. */
function runDryer(job: DryerJob): Promise<DryerReport> {
  return new Promise((resolve, reject) => {
    // A thread of its own, so its blocking BLPOP holds its own connection, not a shared one.
    const worker = new Worker(new URL('./dryer-worker.ts', import.meta.url), {
      workerData: job,
    });
    let report: DryerReport | undefined;
    let error: unknown;
    worker.once('message', (message: DryerReport) => resolve(message));
    worker.once('error', reject);
  });
}
