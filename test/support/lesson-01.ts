/**
 * A worker thread that the lesson-01 checks start to use a learner's Mutex or BoundedQueue from
 * another thread. The tests' `#target` alias does not exist inside a worker, so the learner's
 * module comes as a file URL in workerData. It runs one task, posts a LessonResult, and ends.
 *
 * `ctl` is shared with the test: the thread counts there what it has started and finished, so
 * that the test can wait for a state ("the take() has begun") instead of guessing a delay.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { unperturbed } from '../../workshop/perturb/schedule.ts';

/** Slots of `ctl`. */
export const STARTED = 0; // ops begun (an op is counted just before it is called)
export const FINISHED = 1; // ops returned
export const READY = 2; // arrivals at the start line
export const ATOMICS = 3; // calls to Atomics by the learner's code in an 'ops' task (see countAtomics())

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
  | {
      kind: 'increment'; module: string; ctl: Int32Array; cells: Int32Array; threads: number; rounds: number; times: number;
      /** From round 0 on, nap `ms` in each of the first `naps` calls to Atomics.load and Atomics.store (see widen()). */
      widen?: { naps: number; ms: number };
    }
  /**
   * Once all `threads` threads are at the start line: put(first + i) for i < count, then
   * put(pill) if given; stops at the first put slower than stallMs.
   */
  | ({ kind: 'produce'; first: number; count: number } & QueueRun)
  /** Once all `threads` threads are at the start line: take() until `count` items or `pill` came; stops at the first take slower than stallMs. */
  | ({ kind: 'consume'; count?: number } & QueueRun);

/** What the produce and consume tasks share. */
interface QueueRun {
  module: string;
  ctl: Int32Array;
  threads: number;
  buffer: SharedArrayBuffer;
  pill?: number;
  timeoutMs: number;
  stallMs: number;
  /** Nap `ms` before each of the first `waits` calls to Atomics.wait, and to Atomics.load (see widen()). */
  widen?: { waits: number; ms: number };
}

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
  /** Rounds of `increment` in which this thread's unlock() threw because the other thread had unlocked. */
  overlaps: Array<{ round: number; message: string }>;
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

// Atomics as it was before anything wrapped it (the schedule's perturbation, countAtomics(),
// widen()): the harness's own signals are neither counted nor slowed down.
const { add, notify, load, wait } = unperturbed();

/**
 * WORKSHOP_WIDEN=off turns the fault injection below off: `npm run check -- --seeds` measures what
 * the seeded schedules (workshop/perturb) catch on their own.
 */
const widening = process.env.WORKSHOP_WIDEN !== 'off';

function signal(ctl: Int32Array, slot: number): void {
  add(ctl, slot, 1);
  notify(ctl, slot);
}

/**
 * Waits until `arrivals` threads (this one included) have reached this line. The threads spin for
 * a moment before they sleep, so that they leave it together.
 */
function startLine(ctl: Int32Array, arrivals: number): void {
  signal(ctl, READY);
  for (let spins = 0, ready = load(ctl, READY); ready < arrivals; ready = load(ctl, READY)) {
    if (++spins > 20_000) wait(ctl, READY, ready);
  }
}

/**
 * Fault injection: makes this thread nap for `ms` in each of its next `count` calls to the named
 * Atomics functions (before a wait or a store, after a load). That widens the gap between looking
 * at shared memory and acting on it until the other thread lands in it every time:
 * - before a wait: the other thread's put or take comes after "nothing to do, unlock" and before
 *   the wait. A wait on a change counter returns at once; a wait on a constant sleeps through it.
 * - after a load, before a store: a lock that looks, then takes, lets a second thread in.
 * - before a load ('reload'): a change counter read after unlocking already counts the other
 *   thread's put or take, so the wait that follows sleeps through its notify.
 * Correct code passes all the same, only a little slower. A rare race becomes a sure one.
 */
function widen(names: Array<'wait' | 'load' | 'store' | 'reload'>, count: number, ms: number): void {
  const nap = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const { wait, load, store } = { wait: Atomics.wait.bind(Atomics), load: Atomics.load.bind(Atomics), store: Atomics.store.bind(Atomics) };
  let left = count;
  const pause = () => left-- > 0 && wait(nap, 0, 0, ms);
  const widened = {
    wait: (cells: Int32Array, index: number, value: number, timeout?: number) => (pause(), wait(cells, index, value, timeout)),
    load: (cells: Int32Array, index: number) => {
      const value = load(cells, index);
      pause();
      return value;
    },
    store: (cells: Int32Array, index: number, value: number) => (pause(), store(cells, index, value)),
    reload: (cells: Int32Array, index: number) => (pause(), load(cells, index)),
  };
  for (const name of names) Object.assign(Atomics, { [name === 'reload' ? 'load' : name]: widened[name] });
}

/**
 * The same for code that reads and writes `this.cells[this.index]` without Atomics: each of the
 * first `count` reads of `mutex.cells` naps first, and a lock that reads the slot and then writes
 * it reads `this.cells` again in between. (A lock that keeps `cells` elsewhere is not slowed.)
 */
function napOnCells(mutex: object, count: number, ms: number): void {
  const nap = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const cells = (mutex as { cells: Int32Array }).cells;
  let left = count;
  const get = () => (left-- > 0 && wait(nap, 0, 0, ms), cells);
  if (Object.getOwnPropertyDescriptor(mutex, 'cells')?.configurable) Object.defineProperty(mutex, 'cells', { get });
}

/**
 * Counts every call this thread makes to Atomics from now on in `ctl[ATOMICS]`: a waiter that
 * sleeps makes one or two while it waits; one that spins makes thousands, however busy the machine
 * is (its CPU share, the other measure, falls when the machine is loaded).
 */
function countAtomics(ctl: Int32Array): void {
  for (const name of ['add', 'and', 'compareExchange', 'exchange', 'load', 'notify', 'or', 'store', 'sub', 'wait', 'xor'] as const) {
    const original = (Atomics[name] as (...args: unknown[]) => unknown).bind(Atomics);
    Object.assign(Atomics, { [name]: (...args: unknown[]) => (add(ctl, ATOMICS, 1), original(...args)) });
  }
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** Runs in the worker thread only: the tests import this file for its types and slot numbers. */
async function run(task: LessonTask): Promise<LessonResult> {
  const result: LessonResult = { results: [], taken: [], sent: 0, overlaps: [] };
  const lesson = (await import(task.module)) as {
    Mutex?: new (cells: Int32Array, index?: number) => MutexLike;
    BoundedQueue?: { attach(buffer: SharedArrayBuffer): QueueLike };
  };

  if (task.kind === 'ops') {
    const mutex = task.mutex && new lesson.Mutex!(task.mutex.cells, task.mutex.index);
    const queue = task.buffer && lesson.BoundedQueue!.attach(task.buffer);
    countAtomics(task.ctl);
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
    // A lock of this thread's own first: an unlock() that fails here is unfinished, not a race.
    const own = new lesson.Mutex!(new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)));
    own.lock();
    own.unlock();
    for (let round = 0; round < task.rounds; round++) {
      const mutex = new lesson.Mutex!(cells, 2 * round);
      const counter = 2 * round + 1;
      // All threads count at the same time, or one could finish before another starts.
      startLine(ctl, threads * (round + 1));
      if (round === 0 && task.widen && widening) {
        widen(['load', 'store'], task.widen.naps, task.widen.ms);
        napOnCells(mutex, task.widen.naps, task.widen.ms);
      }
      for (let i = 0; i < task.times; i++) {
        mutex.lock();
        const value = cells[counter]!; // read, then write: a second thread inside the lock would lose one
        cells[counter] = value + 1;
        try {
          mutex.unlock();
        } catch (error) {
          // The other thread, inside at the same time, released the lock first: note it, skip the round.
          result.overlaps.push({ round, message: (error as Error).message });
          break;
        }
      }
    }
  } else {
    const queue = lesson.BoundedQueue!.attach(task.buffer);
    // Starting a thread takes a while: time no put or take before the other side is running.
    startLine(task.ctl, task.threads);
    if (task.widen && widening) {
      widen(['wait'], task.widen.waits, task.widen.ms);
      widen(['reload'], task.widen.waits, task.widen.ms);
    }
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
