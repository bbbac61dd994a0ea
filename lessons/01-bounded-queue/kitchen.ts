/**
 * Cooks and eaters, each in a worker thread, sharing one BoundedQueue of dishes: Python's
 * `Queue(10)` with 3 cook threads and 2 eater threads, rebuilt on worker_threads.
 */
import { Worker } from 'node:worker_threads';
import { BoundedQueue } from './bounded-queue.ts';

export interface KitchenOptions {
  cooks: number;
  eaters: number;
  dishesPerCook: number;
  /** How many dishes the queue holds before a cook must wait. */
  capacity: number;
}

export interface Dish {
  eater: number;
  cook: number;
  /** The cook's count: its first dish is 0. */
  seq: number;
}

export interface KitchenReport {
  /** Every dish eaten, each eater's in the order it ate them. */
  eaten: Dish[];
  /** The most dishes a cook saw waiting in the queue right after it put one. */
  maxBacklog: number;
}

/** What one thread is told to be, through workerData. */
export interface KitchenJob {
  role: 'cook' | 'eater';
  id: number;
  buffer: SharedArrayBuffer;
  dishesPerCook: number;
}

/** What one thread posts back just before it ends. */
export interface ThreadReport {
  eaten: number[];
  maxBacklog: number;
}

/** A dish travels as one int32: cook * DISH_BASE + seq. */
export const DISH_BASE = 1_000_000;
/** Not a dish: tells the eater that takes it to stop. */
export const POISON_PILL = -1;

export const encodeDish = (cook: number, seq: number): number => cook * DISH_BASE + seq;
export const decodeDish = (dish: number): { cook: number; seq: number } => ({ cook: Math.floor(dish / DISH_BASE), seq: dish % DISH_BASE });

/**
 * Runs the kitchen until every dish is eaten and every thread has ended.
 *
 * @example
 * const report = await runKitchen({ cooks: 3, eaters: 2, dishesPerCook: 20, capacity: 10 });
 * console.log(report.eaten.length, 'dishes eaten; the backlog peaked at', report.maxBacklog);
 */
export async function runKitchen(options: KitchenOptions): Promise<KitchenReport> {
  // TODO: make a BoundedQueue(capacity) and start one worker thread per cook and per eater:
  //   new Worker(new URL('./kitchen-worker.ts', import.meta.url), { workerData: job })
  // with a KitchenJob as workerData (its queue.buffer goes along; the memory is shared, not copied).
  // TODO: remember each thread's last message (its ThreadReport), and treat 'exit' as its end:
  // 'exit' with code 0 after a report means done; 'error', or 'exit' without a report, means failed.
  // TODO: once every cook thread has ended, put one POISON_PILL per eater, then wait for the eaters.
  // TODO: resolve with every dish eaten ({ eater, ...decodeDish(dish) }) and the largest backlog,
  // only after every thread has exited; if anything fails, end the threads and reject.
  throw new Error('TODO: write runKitchen() in kitchen.ts');
}
