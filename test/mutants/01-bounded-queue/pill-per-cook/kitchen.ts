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
  const { cooks, eaters, dishesPerCook, capacity } = options;
  checkWhole('cooks', cooks, 1, 2147); // cook * DISH_BASE must stay an int32
  checkWhole('eaters', eaters, 1, 1000);
  checkWhole('dishesPerCook', dishesPerCook, 0, DISH_BASE - 1);
  const queue = new BoundedQueue(capacity);
  const start = (role: KitchenJob['role'], id: number) => startThread({ role, id, buffer: queue.buffer, dishesPerCook });
  const cookThreads = Array.from({ length: cooks }, (_, id) => start('cook', id));
  const eaterThreads = Array.from({ length: eaters }, (_, id) => start('eater', id));
  const all = [...cookThreads, ...eaterThreads];
  // A thread that fails stops the kitchen at once, not when its turn to be awaited comes.
  const failure = new Promise<never>((_, reject) => all.forEach((thread) => thread.done.catch(reject)));
  try {
    const cooked = await Promise.race([Promise.all(cookThreads.map((thread) => thread.done)), failure]);
    // Only now is every dish in the queue, so the pills line up behind the last one.
    // One pill per cook: each cook's work is over.
    for (let i = 0; i < cooks; i++) {
      if (!queue.put(POISON_PILL, 10_000)) throw new Error('The eaters stopped taking dishes: the queue stayed full for 10 s');
    }
    const ate = await Promise.race([Promise.all(eaterThreads.map((thread) => thread.done)), failure]);
    return {
      eaten: ate.flatMap((report, eater) => report.eaten.map((dish) => ({ eater, ...decodeDish(dish) }))),
      maxBacklog: Math.max(...cooked.map((report) => report.maxBacklog)),
    };
  } catch (error) {
    // Nothing may outlive the kitchen, not even after a failure.
    await Promise.all(all.map((thread) => thread.worker.terminate()));
    throw error;
  }
}

function checkWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`Expected \`${name}\` to be a whole number from ${min} to ${max}, got \`${String(value)}\``);
  }
}

function startThread(job: KitchenJob): { worker: Worker; done: Promise<ThreadReport> } {
  const worker = new Worker(new URL('./kitchen-worker.ts', import.meta.url), { workerData: job });
  const done = new Promise<ThreadReport>((resolve, reject) => {
    let report: ThreadReport | undefined;
    worker.on('message', (message: ThreadReport) => (report = message));
    worker.on('error', reject);
    // 'exit' means the thread has ended; its last message has been delivered before it.
    worker.on('exit', (code) => {
      if (report && code === 0) resolve(report);
      else reject(new Error(`The ${job.role} thread ${job.id} ended (exit code ${code}) without posting its report`));
    });
  });
  return { worker, done };
}
