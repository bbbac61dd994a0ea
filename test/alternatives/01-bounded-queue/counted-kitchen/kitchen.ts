/**
 * Alternative to the reference runKitchen(): the eaters start first, each thread gets its job (the
 * queue's buffer with it) in a postMessage instead of workerData, and one promise counts the exits
 * instead of Promise.all over a promise per thread. The last cook's exit puts the pills.
 *
 * Still correct: a SharedArrayBuffer in a message is shared, not copied, as it is in workerData; a
 * thread's report reaches 'message' before its 'exit'; the pills still go in only once every cook has
 * exited, so they line up behind the last dish; and the promise settles only when the count says every
 * thread has exited, after a failure too (the threads are ended, and each 'exit' is still counted).
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

/** What one thread is told to be: the first and only message runKitchen() posts to it. */
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

  return new Promise((resolve, reject) => {
    const threads: Worker[] = [];
    const eaten: Dish[][] = Array.from({ length: eaters }, () => []);
    let maxBacklog = 0;
    let cooksLeft = cooks;
    let running = cooks + eaters;
    let failure: Error | undefined;

    // The first failure ends every thread; the promise still waits for each of them to exit.
    const fail = (error: Error) => {
      if (failure) return;
      failure = error;
      for (const thread of threads) void thread.terminate();
    };

    const servePills = () => {
      // One per eater: each eater stops at the first pill it takes and never takes another.
      for (let i = 0; i < eaters; i++) {
        if (!queue.put(POISON_PILL, 10_000)) return fail(new Error('The eaters stopped taking dishes: the queue stayed full for 10 s'));
      }
    };

    const exited = (job: KitchenJob, code: number, report: ThreadReport | undefined) => {
      if (!report || code !== 0) fail(new Error(`The ${job.role} thread ${job.id} ended (exit code ${code}) without posting its report`));
      else if (job.role === 'eater') eaten[job.id] = report.eaten.map((dish) => ({ eater: job.id, ...decodeDish(dish) }));
      else {
        maxBacklog = Math.max(maxBacklog, report.maxBacklog);
        // Only now is every dish in the queue, so the pills line up behind the last one.
        if (--cooksLeft === 0 && !failure) servePills();
      }
      if (--running > 0) return;
      if (failure) reject(failure);
      else resolve({ eaten: eaten.flat(), maxBacklog });
    };

    const start = (job: KitchenJob) => {
      const thread = new Worker(new URL('./kitchen-worker.ts', import.meta.url));
      threads.push(thread);
      let report: ThreadReport | undefined;
      thread.on('message', (message: ThreadReport) => (report = message));
      thread.on('error', fail);
      // 'exit' means the thread has ended; its last message has been delivered before it.
      thread.on('exit', (code) => exited(job, code, report));
      // Queued until the thread listens; the SharedArrayBuffer in it is shared, not copied.
      thread.postMessage(job);
    };

    // Eaters first: they wait on an empty queue until the cooks come.
    for (let id = 0; id < eaters; id++) start({ role: 'eater', id, buffer: queue.buffer, dishesPerCook });
    for (let id = 0; id < cooks; id++) start({ role: 'cook', id, buffer: queue.buffer, dishesPerCook });
  });
}

function checkWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`Expected \`${name}\` to be a whole number from ${min} to ${max}, got \`${String(value)}\``);
  }
}
