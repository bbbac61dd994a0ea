/**
 * One cook or one eater, in its own worker thread. runKitchen() starts it with a KitchenJob as
 * workerData; it shares nothing with the other threads but the queue's SharedArrayBuffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BoundedQueue } from './bounded-queue.ts';
import { encodeDish, POISON_PILL, type KitchenJob, type ThreadReport } from './kitchen.ts';

const job = workerData as KitchenJob;
// The same memory as the parent's queue: only the buffer crossed over, not a copy of the items.
const queue = BoundedQueue.attach(job.buffer);
const report: ThreadReport = { eaten: [], maxBacklog: 0 };

if (job.role === 'cook') {
  for (let seq = 0; seq < job.dishesPerCook; seq++) {
    queue.put(encodeDish(job.id, seq)); // waits while the queue is full: the cook rests
    report.maxBacklog = Math.max(report.maxBacklog, queue.size);
  }
} else {
  for (;;) {
    const dish = queue.take(); // waits while the queue is empty: the eater rests
    if (dish === undefined) break;
    // MUTANT: records the pill as if it were a dish.
    report.eaten.push(dish);
    if (dish === POISON_PILL) break;
  }
}

parentPort?.postMessage(report);
