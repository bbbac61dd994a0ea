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
const dried: string[] = [];
let reason: DryerReport['reason'];

// TODO: open this dryer's own connection with connect(`dryer-${id}`).
// TODO: loop: take a dish with BLPOP on `queue`, timeout `timeoutSec` (in seconds, as BLPOP counts).
//   null means no dish came in time: stop with reason 'timeout'. QUIT: stop with reason 'quit'.
//   Otherwise dry it (await sleep(workMs)) and add it to `dried`.
// TODO: close the connection (await conn.quit()), then post the DryerReport with parentPort!.postMessage().
throw new Error(`TODO: dryer ${id} is not written yet: dryer-worker.ts should take dishes from "${queue}" until ${QUIT} or a timeout`);
