/**
 * A worker thread that the lesson-01 checks start to use a learner's Mutex or BoundedQueue from
 * another thread. The tests' `#target` alias does not exist inside a worker, so the learner's
 * module comes as a file URL in workerData. It runs one task, posts a LessonResult, and ends.
 *
 * `ctl` is shared with the test: the thread counts there what it has started and finished, so
 * that the test can wait for a state ("the take() has begun") instead of guessing a delay.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

/** Slots of `ctl`. */
export const STARTED = 0; // ops begun (an op is counted just before it is called)
export const FINISHED = 1; // ops returned
export const READY = 2; // arrivals at the start line

export type Op =
  | { op: 'put'; item: number; timeoutMs?: number }
  | { op: 'take'; timeoutMs?: number }
  | { op: 'size' }
  | { op: 'capacity' }
  | { op: 'lock' }
  | { op: 'unlock' };

export type LessonTask =
  /** Runs `ops` one after the other on `new Mutex(cells, index)` or `BoundedQueue.attach(buffer)`. */
  | { kind: 'ops'; module: string; ctl: Int32Array; ops: Op[]; mutex?: { cells: Int32Array; index: number }; buffer?: SharedArrayBuffer }
  /**
   * `rounds` rounds; in round r (from 0), once all `threads` threads are at the start line,
   * `times` × { lock(); cells[2r + 1] = cells[2r + 1] + 1; unlock() } with `new Mutex(cells, 2r)`.
   */
  | { kind: 'increment'; module: string; ctl: Int32Array; cells: Int32Array; threads: number; rounds: number; times: number }
  /** put(first + i) for i < count, then put(pill) if given; stops at the first put slower than stallMs. */
  | { kind: 'produce'; module: string; buffer: SharedArrayBuffer; first: number; count: number; pill?: number; timeoutMs: number; stallMs: number }
  /** take() until `count` items or `pill` came; stops at the first take slower than stallMs. */
  | { kind: 'consume'; module: string; buffer: SharedArrayBuffer; count?: number; pill?: number; timeoutMs: number; stallMs: number };

export interface Stall {
  op: 'put' | 'take';
  /** The item being put, or the position of the take (0 for the first). */
  at: number;
  ms: number;
  returned: unknown;
}

export interface LessonResult {
  results: Array<{ op: Op['op']; returned: unknown; ms: number }>;
  taken: number[];
  sent: number;
  stall?: Stall;
}

interface MutexLike {
  lock(): void;
  unlock(): void;
}
interface QueueLike {
  readonly capacity: number;
  readonly size: number;
  put(item: number, timeoutMs?: number): boolean;
  take(timeoutMs?: number): number | undefined;
}

function signal(ctl: Int32Array, slot: number): void {
  Atomics.add(ctl, slot, 1);
  Atomics.notify(ctl, slot);
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** Runs in the worker thread only: the tests import this file for its types and slot numbers. */
async function run(task: LessonTask): Promise<LessonResult> {
  const result: LessonResult = { results: [], taken: [], sent: 0 };
  const lesson = (await import(task.module)) as {
    Mutex?: new (cells: Int32Array, index?: number) => MutexLike;
    BoundedQueue?: { attach(buffer: SharedArrayBuffer): QueueLike };
  };

  if (task.kind === 'ops') {
    const mutex = task.mutex && new lesson.Mutex!(task.mutex.cells, task.mutex.index);
    const queue = task.buffer && lesson.BoundedQueue!.attach(task.buffer);
    for (const op of task.ops) {
      signal(task.ctl, STARTED);
      const { value, ms } = timed((): unknown => {
        switch (op.op) {
          case 'put': return queue!.put(op.item, op.timeoutMs);
          case 'take': return queue!.take(op.timeoutMs);
          case 'size': return queue!.size;
          case 'capacity': return queue!.capacity;
          case 'lock': return mutex!.lock();
          case 'unlock': return mutex!.unlock();
        }
      });
      result.results.push({ op: op.op, returned: value, ms });
      signal(task.ctl, FINISHED);
    }
  } else if (task.kind === 'increment') {
    const { ctl, cells, threads } = task;
    for (let round = 0; round < task.rounds; round++) {
      const mutex = new lesson.Mutex!(cells, 2 * round);
      const counter = 2 * round + 1;
      // The start line: every thread counts at the same time, or one could finish before another starts.
      signal(ctl, READY);
      for (let ready = Atomics.load(ctl, READY); ready < threads * (round + 1); ready = Atomics.load(ctl, READY)) {
        Atomics.wait(ctl, READY, ready);
      }
      for (let i = 0; i < task.times; i++) {
        mutex.lock();
        const value = cells[counter]!; // read, then write: a second thread inside the lock would lose one
        cells[counter] = value + 1;
        mutex.unlock();
      }
    }
  } else {
    const queue = lesson.BoundedQueue!.attach(task.buffer);
    if (task.kind === 'produce') {
      const items = Array.from({ length: task.count }, (_, i) => task.first + i);
      if (task.pill !== undefined) items.push(task.pill);
      for (const item of items) {
        const { value, ms } = timed(() => queue.put(item, task.timeoutMs));
        if (!value || ms > task.stallMs) {
          result.stall = { op: 'put', at: item, ms, returned: value };
          break;
        }
        result.sent++;
      }
    } else {
      for (let i = 0; task.count === undefined || i < task.count; i++) {
        const { value, ms } = timed(() => queue.take(task.timeoutMs));
        if (value === undefined || ms > task.stallMs) {
          result.stall = { op: 'take', at: i, ms, returned: value };
          if (value === undefined) break;
        }
        if (value === task.pill) break;
        result.taken.push(value);
        if (result.stall) break;
      }
    }
  }
  return result;
}

if (!isMainThread) parentPort!.postMessage(await run(workerData as LessonTask));
