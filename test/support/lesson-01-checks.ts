/**
 * What the checks of lesson 01 share: the helper threads (test/support/lesson-01.ts, which loads
 * the learner's module in a worker thread; the two threads meet only in a SharedArrayBuffer, as
 * the learner's do), waiting for a state, and measuring a waiter. Loaded by lesson-01<step>-checks.ts.
 */
/// <reference types="vite/client" />
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../../workshop/target.ts';
import { ATOMICS, type LessonResult, type LessonTask, type Stall } from './lesson-01.ts';
import { pause } from './waits.ts';
import { expect } from './workshop-test.ts';

export { pause };

export type MutexModule = typeof import('#target/01-bounded-queue/mutex.ts');
export type QueueModule = typeof import('#target/01-bounded-queue/bounded-queue.ts');
export type KitchenModule = typeof import('#target/01-bounded-queue/kitchen.ts');
export type KitchenReport = Awaited<ReturnType<KitchenModule['runKitchen']>>;
export type KitchenOptions = Parameters<KitchenModule['runKitchen']>[0];

// The files behind the #target alias, as Vite resolves it: a worker thread cannot use the alias,
// so the helper thread gets the file's URL. (Keys are paths from the project root.)
export const targetFiles = Object.keys(import.meta.glob('#target/01-bounded-queue/*.ts'));
export function moduleUrl(file: string): string {
  const key = targetFiles.find((candidate) => candidate.endsWith(`/${file}`));
  if (!key) throw new Error(`01-bounded-queue/${file} is missing: the checks need it`);
  return pathToFileURL(isAbsolute(key) && key.startsWith(ROOT) ? key : join(ROOT, key)).href;
}
export const newControl = () => new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
export const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

export interface Helper {
  /** Settles once the thread has exited: with its result, or with the error that ended it. */
  done: Promise<LessonResult>;
  failure(): Error | undefined;
  stop(): Promise<unknown>;
}

/** Starts test/support/lesson-01.ts with a task. */
export function helper(task: LessonTask): Helper {
  const worker = new Worker(new URL('./lesson-01.ts', import.meta.url), { workerData: task });
  let failure: Error | undefined;
  const done = new Promise<LessonResult>((resolve, reject) => {
    let result: LessonResult | undefined;
    worker.on('message', (message: LessonResult) => (result = message));
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => (result && !failure ? resolve(result) : reject((failure ??= new Error(`The helper thread ended (exit code ${code}) before it finished`)))));
  });
  done.catch(() => {}); // each check awaits it when it needs the result
  return { done, failure: () => failure, stop: () => worker.terminate() };
}

/** Stops every helper and waits until all have exited, so that a failed check names no stray thread. */
export async function stopAll(helpers: Helper[]): Promise<void> {
  await Promise.allSettled(helpers.map((h) => h.stop().then(() => h.done)));
}

/** Every helper's result; if one fails (your code threw in it), the others are stopped and its error is thrown. */
export async function allDone(helpers: Helper[]): Promise<LessonResult[]> {
  try {
    return await Promise.all(helpers.map((h) => h.done));
  } catch (error) {
    await stopAll(helpers);
    throw error;
  }
}

/** Waits until `ctl[slot]` reaches `value`; fails with the helper's own error if it crashed first. */
export async function reach(ctl: Int32Array, slot: number, value: number, helpers: Helper[], what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(ctl, slot) < value) {
    const failed = helpers.map((h) => h.failure()).find(Boolean);
    if (failed) {
      await stopAll(helpers);
      throw failed;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await pause(5);
  }
}

/**
 * What a thread waiting in the learner's code does for 300 ms: the process's CPU share (the
 * waiter's, as this thread idles) and its calls to Atomics. Either one, high, means it spins.
 */
export async function watchWaiter(ctl: Int32Array, what: string, wakesBy: string): Promise<void> {
  const before = Atomics.load(ctl, ATOMICS);
  const cpu = await cpuDuring(300);
  const calls = Atomics.load(ctl, ATOMICS) - before;
  expect(
    cpu < 0.4 && calls < 200,
    `the thread waiting in ${what} used ${percent(cpu)} of a core: it is spinning (it called Atomics ${calls} times in 300 ms, ` +
      `where a sleeping thread calls it once or twice). Atomics.wait lets it sleep until ${wakesBy}`,
  ).toBe(true);
}

/** The share of one core that the whole process (every thread) used over `ms`. */
export async function cpuDuring(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const start = performance.now();
  await pause(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - start);
}

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

export const WAKE_UP =
  'Read a change counter while you hold the lock, unlock, then Atomics.wait on that value: a put or take in between ' +
  'changes the counter, so the wait returns at once. Waiting on a constant misses a notify that came first (a lost wake-up).';

export function stallMessage(stall: Stall, who: string): string {
  const what = stall.op === 'put' ? `put(${stall.at})` : `take() number ${stall.at + 1}`;
  const how =
    stall.returned === undefined || stall.returned === false
      ? `gave up after its timeout (${Math.round(stall.ms)} ms) and returned ${String(stall.returned)}`
      : `took ${Math.round(stall.ms)} ms`;
  const notify = stall.op === 'put' ? 'the notify of a take() that made room' : 'the notify of a put()';
  return `A ${what} in ${who} ${how}: it slept through ${notify}. ${WAKE_UP}`;
}
