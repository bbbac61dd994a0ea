/**
 * One dryer of the channel-dryers alternative: it posts each dish on its own MessagePort as soon as
 * it is dried, then its reason, and loops while it has no reason to stop (no for(;;) and break).
 * The connection is closed before the reason is posted, so the report still means "this dryer is done".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { workerData } from 'node:worker_threads';
import { connect } from '#workshop/redis';
import type { DryerJob, DryerNews, DryerReport } from './dryers.ts';

const QUIT = 'quit';
const { id, queue, timeoutSec, workMs, news } = workerData as DryerJob;
const tell = (message: DryerNews) => news.postMessage(message);

// Made inside the thread: every dryer needs a connection of its own to block on.
const conn = connect(`dryer-${id}`);
let reason: DryerReport['reason'] | undefined;

try {
  while (reason === undefined) {
    // Seconds, as BLPOP counts them; null: no dish came in time.
    const popped = await conn.blpop(queue, timeoutSec);
    if (popped === null) reason = 'timeout';
    else if (popped[1] === QUIT) reason = 'quit';
    else {
      await sleep(workMs);
      tell({ dried: popped[1] });
    }
  }
} finally {
  await conn.quit();
}

tell({ reason });
