/**
 * One cook or one eater of the counted-kitchen alternative, in its own worker thread. It learns
 * what to be from the first message runKitchen() posts (the queue's SharedArrayBuffer in it), not
 * from workerData; then it shares nothing with the other threads but that buffer.
 */
import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { BoundedQueue } from './bounded-queue.ts';
import { encodeDish, POISON_PILL, type KitchenJob, type ThreadReport } from './kitchen.ts';

if (!parentPort) throw new Error('kitchen-worker.ts runs in a worker thread that runKitchen() starts');
// once() takes its listener off again: nothing is left to keep the thread alive when its work is done.
const [job] = (await once(parentPort, 'message')) as [KitchenJob];
// The same memory as the parent's queue: the message carried the buffer, not a copy of the items.
const queue = BoundedQueue.attach(job.buffer);
const report: ThreadReport = { eaten: [], maxBacklog: 0 };

if (job.role === 'cook') {
  for (let seq = 0; seq < job.dishesPerCook; seq++) {
    queue.put(encodeDish(job.id, seq)); // waits while the queue is full: the cook rests
    report.maxBacklog = Math.max(report.maxBacklog, queue.size);
  }
} else {
  // Stop at the first pill, without keeping it: the other pills are for the other eaters.
  for (let dish = queue.take(); dish !== POISON_PILL && dish !== undefined; dish = queue.take()) report.eaten.push(dish);
}

parentPort.postMessage(report);
