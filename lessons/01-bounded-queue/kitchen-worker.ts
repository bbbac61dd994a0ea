/**
 * One cook or one eater, in its own worker thread. runKitchen() starts it with a KitchenJob as
 * workerData; it shares nothing with the other threads but the queue's SharedArrayBuffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BoundedQueue } from './bounded-queue.ts';
import { encodeDish, POISON_PILL, type KitchenJob, type ThreadReport } from './kitchen.ts';

const job = workerData as KitchenJob;
// TODO: attach to the parent's queue: BoundedQueue.attach(job.buffer).
// TODO: a cook puts encodeDish(job.id, seq) for seq = 0, 1, … job.dishesPerCook - 1, and after
// each put notes the largest queue.size it has seen (its maxBacklog).
// TODO: an eater takes dishes and keeps each in `eaten`, until it takes a POISON_PILL: then it
// stops, without keeping the pill (the other pills are for the other eaters).
// TODO: post a ThreadReport ({ eaten, maxBacklog }) to the parent with parentPort.postMessage.
throw new Error(`TODO: write the ${job.role} thread in kitchen-worker.ts`);
