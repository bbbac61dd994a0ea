/**
 * One dryer, run in a worker thread by `runDryers()` (dryers.ts): it takes dishes from the list
 * until it pops `quit` or no dish comes for `timeoutSec`, then posts its report and ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '#workshop/redis';
import type { DryerJob, DryerReport } from './dryers.ts';

const QUIT = 'quit';
const { id, queue, timeoutSec, workMs } = workerData as DryerJob;

// Made inside the thread: every dryer needs a connection of its own to block on.
const conn = connect(`dryer-${id}`);
const dried: string[] = [];
let reason: DryerReport['reason'];

try {
  for (;;) {
    // BLPOP counts its timeout in seconds (fractions allowed since Redis 6), not milliseconds.
    const popped = await conn.blpop(queue, timeoutSec);
    // null is not an error: no dish came in time, so this dryer's shift is over.
    if (!popped) {
      reason = 'timeout';
      break;
    }
    const [, dish] = popped;
    // One quit stops one dryer; the washer pushes one per dryer.
    if (dish === QUIT) {
      reason = 'quit';
      break;
    }
    // Drying takes time; meanwhile the other dryers take the next dishes.
    await sleep(workMs);
    dried.push(dish);
  }
} finally {
  // An open connection would keep this thread alive after the loop.
  await conn.quit();
}

const report: DryerReport = { id, dried, reason };
parentPort!.postMessage(report);
