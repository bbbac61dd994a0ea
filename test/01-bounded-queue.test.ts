/**
 * Lesson 01: a Mutex and a BoundedQueue in shared memory, and the kitchen of cook and eater
 * threads. Checks that need a second thread start test/support/lesson-01.ts, which loads your
 * module in a worker thread; the two threads meet only in a SharedArrayBuffer, as yours do.
 */
/// <reference types="vite/client" />
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeAll, it, vi } from 'vitest';
import { ROOT } from '../workshop/target.ts';
import { ATOMICS, FINISHED, STARTED, type LessonResult, type LessonTask, type Stall } from './support/lesson-01.ts';
import { liveThreads, threadsStarted } from './support/threads.ts';
import { expect, step } from './support/workshop-test.ts';

type MutexModule = typeof import('#target/01-bounded-queue/mutex.ts');
type QueueModule = typeof import('#target/01-bounded-queue/bounded-queue.ts');
type KitchenModule = typeof import('#target/01-bounded-queue/kitchen.ts');
type KitchenReport = Awaited<ReturnType<KitchenModule['runKitchen']>>;
type KitchenOptions = Parameters<KitchenModule['runKitchen']>[0];

// The files behind the #target alias, as Vite resolves it: a worker thread cannot use the alias,
// so the helper thread gets the file's URL. (Keys are paths from the project root.)
const targetFiles = Object.keys(import.meta.glob('#target/01-bounded-queue/*.ts'));
function moduleUrl(file: string): string {
  const key = targetFiles.find((candidate) => candidate.endsWith(`/${file}`));
  if (!key) throw new Error(`01-bounded-queue/${file} is missing: the checks need it`);
  return pathToFileURL(isAbsolute(key) && key.startsWith(ROOT) ? key : join(ROOT, key)).href;
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newControl = () => new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

interface Helper {
  /** Settles once the thread has exited: with its result, or with the error that ended it. */
  done: Promise<LessonResult>;
  failure(): Error | undefined;
  stop(): Promise<unknown>;
}

/** Starts test/support/lesson-01.ts with a task. */
function helper(task: LessonTask): Helper {
  const worker = new Worker(new URL('./support/lesson-01.ts', import.meta.url), { workerData: task });
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
async function stopAll(helpers: Helper[]): Promise<void> {
  await Promise.allSettled(helpers.map((h) => h.stop().then(() => h.done)));
}

/** Every helper's result; if one fails (your code threw in it), the others are stopped and its error is thrown. */
async function allDone(helpers: Helper[]): Promise<LessonResult[]> {
  try {
    return await Promise.all(helpers.map((h) => h.done));
  } catch (error) {
    await stopAll(helpers);
    throw error;
  }
}

/** Waits until `ctl[slot]` reaches `value`; fails with the helper's own error if it crashed first. */
async function reach(ctl: Int32Array, slot: number, value: number, helpers: Helper[], what: string, timeoutMs = 4000): Promise<void> {
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
async function watchWaiter(ctl: Int32Array, what: string, wakesBy: string): Promise<void> {
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
async function cpuDuring(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const start = performance.now();
  await pause(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - start);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const WAKE_UP =
  'Read a change counter while you hold the lock, unlock, then Atomics.wait on that value: a put or take in between ' +
  'changes the counter, so the wait returns at once. Waiting on a constant misses a notify that came first (a lost wake-up).';

function stallMessage(stall: Stall, who: string): string {
  const what = stall.op === 'put' ? `put(${stall.at})` : `take() number ${stall.at + 1}`;
  const how =
    stall.returned === undefined || stall.returned === false
      ? `gave up after its timeout (${Math.round(stall.ms)} ms) and returned ${String(stall.returned)}`
      : `took ${Math.round(stall.ms)} ms`;
  const notify = stall.op === 'put' ? 'the notify of a take() that made room' : 'the notify of a put()';
  return `A ${what} in ${who} ${how}: it slept through ${notify}. ${WAKE_UP}`;
}

step('01a', () => {
  let Mutex: MutexModule['Mutex'];
  beforeAll(async () => {
    ({ Mutex } = await import('#target/01-bounded-queue/mutex.ts'));
  });

  it('new Mutex(cells) refuses memory that is not shared; Mutex.create() makes shared memory', () => {
    const error = thrown(() => new Mutex(new Int32Array(4)));
    expect(error, 'new Mutex(new Int32Array(4)) should throw a TypeError: memory that is not a SharedArrayBuffer is copied to each thread, so each thread would lock its own copy').toBeInstanceOf(TypeError);
    expect((error as Error).message, 'the TypeError should name the parameter, `cells`, so the caller knows what to fix').toMatch(/cells/);
    const mutex = Mutex.create();
    expect(mutex.cells.buffer, 'Mutex.create().cells should be an Int32Array over a SharedArrayBuffer').toBeInstanceOf(SharedArrayBuffer);
    expect(mutex.index, 'Mutex.create() uses slot 0 of its own memory').toBe(0);
  });

  it('.lock() lets one thread in at a time: 4 threads × 50,000 increments lose none, 3 times over', async () => {
    const threads = 4;
    const rounds = 3;
    const times = 50_000;
    const cells = new Int32Array(new SharedArrayBuffer(2 * rounds * Int32Array.BYTES_PER_ELEMENT)); // [lock, counter] per round
    // In their first 200 calls to Atomics.load and Atomics.store, the threads nap 0.2 ms: a lock that
    // looks, then takes, is then caught in the act, while compareExchange is not slowed at all.
    const widen = { naps: 200, ms: 0.2 };
    const task = { kind: 'increment', module: moduleUrl('mutex.ts'), ctl: newControl(), cells, threads, rounds, times, widen } as const;
    const results = await allDone(Array.from({ length: threads }, () => helper(task)));
    for (let round = 0; round < rounds; round++) {
      const lost = threads * times - cells[2 * round + 1]!;
      const overlap = results.flatMap((result) => result.overlaps).find((entry) => entry.round === round);
      const seen = overlap
        ? `two threads were inside the lock at once: one thread's unlock() found it already unlocked by the other ("${overlap.message}")`
        : `${lost} of ${threads * times} increments were lost, so two threads were inside the lock at once`;
      expect(
        { lost, overlap: Boolean(overlap) },
        `round ${round + 1}: ${seen}. lock() must test and take the lock in one step, ` +
          'Atomics.compareExchange(cells, index, UNLOCKED, LOCKED): a read followed by a write lets both threads see it free.',
      ).toEqual({ lost: 0, overlap: false });
    }
  });

  it('.withLock(fn) returns what fn returns, and unlocks even when fn throws', () => {
    const mutex = Mutex.create();
    const free = mutex.cells[mutex.index];
    expect(mutex.withLock(() => 42), 'withLock(() => 42) should return 42').toBe(42);
    let inside: number | undefined;
    const error = thrown(() =>
      mutex.withLock(() => {
        inside = mutex.cells[mutex.index];
        throw new Error('boom');
      }),
    );
    expect((error as Error | undefined)?.message, "withLock(fn) should let fn's error through to the caller").toBe('boom');
    expect(inside, 'while fn runs, the lock should be held: call lock() before fn()').not.toBe(free);
    expect(mutex.cells[mutex.index], 'after fn threw, the lock was still held, and every other thread would wait forever: unlock in a finally block').toBe(free);
  });

  it('.unlock() throws when the mutex is not locked', () => {
    const mutex = Mutex.create();
    const error = thrown(() => mutex.unlock());
    expect((error as Error | undefined)?.message ?? 'nothing', 'unlock() on a mutex that nobody locked should throw an Error that says it is not locked').toMatch(/not locked/i);
    mutex.lock();
    mutex.unlock();
    const again = thrown(() => mutex.unlock());
    expect((again as Error | undefined)?.message ?? 'nothing', 'a second unlock() after one lock() should throw too: it would let a second thread in').toMatch(/not locked/i);
  });

  it('a thread waiting in .lock() sleeps (almost no CPU) and wakes at .unlock()', async () => {
    const mutex = Mutex.create();
    mutex.lock();
    const ctl = newControl();
    const waiter = helper({ kind: 'ops', module: moduleUrl('mutex.ts'), ctl, mutex: { cells: mutex.cells, index: mutex.index }, ops: [{ op: 'lock' }, { op: 'unlock' }] });
    await reach(ctl, STARTED, 1, [waiter], 'The other thread calling lock()');
    await pause(100); // let the new thread's start-up work end before measuring
    await watchWaiter(ctl, 'lock()', 'unlock() calls Atomics.notify');
    expect(Atomics.load(ctl, FINISHED), "the other thread got through lock() while this thread held the lock").toBe(0);
    mutex.unlock();
    const result = await Promise.race([waiter.done, pause(5000).then(() => undefined)]);
    expect(result, 'the thread waiting in lock() was still waiting 5 s after unlock(): unlock() must wake it with Atomics.notify').toBeDefined();
  });
});

step('01b', () => {
  let BoundedQueue: QueueModule['BoundedQueue'];
  let Mutex: MutexModule['Mutex'];
  beforeAll(async () => {
    ({ BoundedQueue } = await import('#target/01-bounded-queue/bounded-queue.ts'));
    ({ Mutex } = await import('#target/01-bounded-queue/mutex.ts'));
  });
  const module = () => moduleUrl('bounded-queue.ts');

  it('new BoundedQueue(capacity) starts empty, and refuses a capacity that is not a whole number ≥ 1', () => {
    const queue = new BoundedQueue(3);
    expect(queue.capacity, 'new BoundedQueue(3).capacity').toBe(3);
    expect(queue.size, 'a new queue should be empty: size 0').toBe(0);
    expect(queue.buffer, '.buffer should be a SharedArrayBuffer, the only memory other threads can share').toBeInstanceOf(SharedArrayBuffer);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const error = thrown(() => new BoundedQueue(bad));
      expect(error, `new BoundedQueue(${bad}) should throw a TypeError`).toBeInstanceOf(TypeError);
      expect((error as Error).message, `the TypeError for ${bad} should name \`capacity\` and the value received`).toMatch(new RegExp(`capacity[^]*${String(bad).replace('.', '\\.')}`));
    }
  });

  it('.put() and .take() are first in, first out; .size counts the items', () => {
    const queue = new BoundedQueue(4);
    for (const item of [10, 20, 30]) expect(queue.put(item, 1000), `put(${item}) on a queue with room should return true`).toBe(true);
    expect(queue.size, 'size after three puts').toBe(3);
    expect([queue.take(1000), queue.take(1000)], 'the first two takes should give the first two items, in order').toEqual([10, 20]);
    expect(queue.put(40, 1000) && queue.put(50, 1000) && queue.put(60, 1000), 'three more puts fill the queue to its capacity of 4').toBe(true);
    expect(queue.size, 'size of a full queue of capacity 4').toBe(4);
    const out = [1, 2, 3, 4].map(() => queue.take(1000));
    expect(out, 'the items should come out in the order they went in, also after the ring wraps around').toEqual([30, 40, 50, 60]);
    expect(queue.size, 'size after taking everything').toBe(0);
  });

  it('.put() and .take() hold the Mutex while they read and change the queue', () => {
    const queue = new BoundedQueue(2);
    const locks = [vi.spyOn(Mutex.prototype, 'lock'), vi.spyOn(Mutex.prototype, 'withLock')];
    const unlock = vi.spyOn(Mutex.prototype, 'unlock');
    const held = () => locks.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    try {
      for (const [name, call] of [['put(1)', () => queue.put(1, 1000)], ['take()', () => queue.take(1000)]] as const) {
        const before = held();
        call();
        expect(held() - before, `${name} did not take the Mutex (no lock() or withLock() call): another thread could change head and size at the same moment. Do every read and write of the queue state inside mutex.withLock()`).toBeGreaterThan(0);
      }
      expect(unlock.mock.calls.length, 'every lock() needs its unlock(), or the next put() or take() waits forever').toBeGreaterThan(0);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('items are int32: negative numbers and the extremes come back unchanged', () => {
    const items = [-5, 0, 2 ** 31 - 1, -(2 ** 31)];
    const queue = new BoundedQueue(items.length);
    for (const item of items) queue.put(item, 1000);
    expect(items.map(() => queue.take(1000)), 'every int32 should come back as it went in').toEqual(items);
  });

  it('.take(timeoutMs) gives up and returns undefined while the queue stays empty', () => {
    const queue = new BoundedQueue(2);
    expect(queue.take(0), 'take(0) on an empty queue should return undefined at once').toBeUndefined();
    const start = performance.now();
    const item = queue.take(150);
    const waited = performance.now() - start;
    expect(item, 'take(150) on an empty queue should return undefined when the time is up').toBeUndefined();
    expect(waited, `take(150) returned after ${Math.round(waited)} ms: it should wait about 150 ms for an item first`).toBeGreaterThanOrEqual(120);
    expect(waited, `take(150) returned after ${Math.round(waited)} ms: it should give up when the 150 ms are over`).toBeLessThan(3000);
  });

  it('.put(item, timeoutMs) gives up and returns false while the queue stays full', () => {
    const queue = new BoundedQueue(2);
    queue.put(1, 1000);
    queue.put(2, 1000);
    const start = performance.now();
    const added = queue.put(3, 150);
    const waited = performance.now() - start;
    expect(added, 'put(3, 150) on a full queue should return false when the time is up').toBe(false);
    expect(waited, `put(3, 150) returned after ${Math.round(waited)} ms: it should wait about 150 ms for room first`).toBeGreaterThanOrEqual(120);
    expect(waited, `put(3, 150) returned after ${Math.round(waited)} ms: it should give up when the 150 ms are over`).toBeLessThan(3000);
    expect(queue.size, 'a put that timed out should leave the queue as it was').toBe(2);
  });

  it('.take(300) and .put(item, 300) give up 300 ms after the call, also when woken for nothing meanwhile', async () => {
    const empty = new BoundedQueue(2);
    const full = new BoundedQueue(1);
    full.put(7, 1000);
    const waiters = [
      helper({ kind: 'ops', module: module(), ctl: newControl(), buffer: empty.buffer, ops: [{ op: 'take', timeoutMs: 300 }] }),
      helper({ kind: 'ops', module: module(), ctl: newControl(), buffer: full.buffer, ops: [{ op: 'put', item: 8, timeoutMs: 300 }] }),
    ];
    // For 2 s, wake whatever sleeps on any slot of either queue every 20 ms, as a notify for another
    // waiter would: nothing changes, so each must look again and sleep only for what is left.
    const slots = [new Int32Array(empty.buffer), new Int32Array(full.buffer)];
    const started = performance.now();
    const waking = setInterval(() => {
      if (performance.now() - started > 2000) return clearInterval(waking);
      for (const cells of slots) for (let i = 0; i < cells.length; i++) Atomics.notify(cells, i);
    }, 20);
    try {
      const [take, put] = await allDone(waiters);
      for (const [what, result, gaveUp] of [['take(300) on an empty queue', take, undefined], ['put(8, 300) on a full queue', put, false]] as const) {
        const op = result!.results[0]!;
        expect(op.returned, `${what} should return ${String(gaveUp)} once its time is up`).toBe(gaveUp);
        expect(
          op.ms,
          `${what} returned after ${Math.round(op.ms)} ms, woken every 20 ms with nothing to do: it started its 300 ms again at each wake-up. ` +
            'Fix the deadline when called (performance.now() + timeoutMs) and each time wait only for what is left of it',
        ).toBeLessThan(1000);
      }
    } finally {
      clearInterval(waking);
    }
  });

  it('BoundedQueue.attach(buffer) in another thread sees the same queue', async () => {
    const queue = new BoundedQueue(4);
    queue.put(7, 1000);
    queue.put(8, 1000);
    const other = helper({
      kind: 'ops', module: module(), ctl: newControl(), buffer: queue.buffer,
      ops: [{ op: 'capacity' }, { op: 'size' }, { op: 'take', timeoutMs: 2000 }, { op: 'take', timeoutMs: 2000 }, { op: 'put', item: 9, timeoutMs: 2000 }],
    });
    const seen = (await other.done).results.map((r) => r.returned);
    expect(seen.slice(0, 2), 'in the other thread, attach(queue.buffer) should show capacity 4 and the 2 items put here').toEqual([4, 2]);
    expect(seen.slice(2, 4), 'the other thread should take the items put in this thread, 7 then 8').toEqual([7, 8]);
    expect(queue.take(1000), 'this thread should take the item the other thread put, 9').toBe(9);
  });

  it('.put() in another thread waits while the queue is full, and returns true once a .take() makes room', async () => {
    const queue = new BoundedQueue(2);
    queue.put(1, 1000);
    queue.put(2, 1000);
    const ctl = newControl();
    const putter = helper({ kind: 'ops', module: module(), ctl, buffer: queue.buffer, ops: [{ op: 'put', item: 3, timeoutMs: 5000 }] });
    await reach(ctl, STARTED, 1, [putter], 'The other thread calling put(3)');
    await pause(100);
    expect(Atomics.load(ctl, FINISHED), 'put(3) returned while the queue was full: it must wait until a take() makes room').toBe(0);
    expect(queue.take(1000), 'take() from the full queue').toBe(1);
    const [result] = (await putter.done).results;
    expect(result?.returned, 'the waiting put(3) should return true once take() made room').toBe(true);
    expect(result!.ms, `the waiting put(3) returned after ${Math.round(result!.ms)} ms, not when take() made room: take() must wake it (Atomics.notify)`).toBeLessThan(4000);
    expect([queue.take(1000), queue.take(1000)], 'after that, the queue should hold 2 then 3').toEqual([2, 3]);
  });

  it('.take() in another thread waits while the queue is empty, sleeping (almost no CPU), and wakes when an item is put', async () => {
    const queue = new BoundedQueue(2);
    // Some traffic first: a waiter must sleep however many puts and takes came before, not only on a fresh queue.
    for (let i = 0; i < 3; i++) expect([queue.put(i, 1000), queue.take(1000)], `put(${i}) then take() on an empty queue`).toEqual([true, i]);
    const ctl = newControl();
    const taker = helper({ kind: 'ops', module: module(), ctl, buffer: queue.buffer, ops: [{ op: 'take', timeoutMs: 8000 }] });
    await reach(ctl, STARTED, 1, [taker], 'The other thread calling take()');
    await pause(100); // let the new thread's start-up work end before measuring
    await watchWaiter(ctl, 'take()', 'a put() notifies it');
    expect(Atomics.load(ctl, FINISHED), 'take() returned from an empty queue: it must wait until an item is put').toBe(0);
    expect(queue.put(42, 1000), 'put(42) into the empty queue').toBe(true);
    const [result] = (await taker.done).results;
    expect(result?.returned, 'the waiting take() should return the item put in this thread, 42').toBe(42);
    expect(result!.ms, `the waiting take() returned ${Math.round(result!.ms)} ms after it began, long after 42 was put: put() must wake it (Atomics.notify)`).toBeLessThan(4000);
  });

  it('.put() in another thread waits while the queue is full, sleeping (almost no CPU), and wakes when an item is taken', async () => {
    const queue = new BoundedQueue(1);
    for (let i = 0; i < 3; i++) expect([queue.put(i, 1000), queue.take(1000)], `put(${i}) then take() on an empty queue`).toEqual([true, i]);
    expect(queue.put(7, 1000), 'put(7) into the empty queue of 1').toBe(true);
    const ctl = newControl();
    const putter = helper({ kind: 'ops', module: module(), ctl, buffer: queue.buffer, ops: [{ op: 'put', item: 8, timeoutMs: 8000 }] });
    await reach(ctl, STARTED, 1, [putter], 'The other thread calling put()');
    await pause(100); // let the new thread's start-up work end before measuring
    await watchWaiter(ctl, 'put()', 'a take() notifies it');
    expect(Atomics.load(ctl, FINISHED), 'put(8) returned while the queue of 1 was full: it must wait until an item is taken').toBe(0);
    expect(queue.take(1000), 'take() from the full queue').toBe(7);
    const [result] = (await putter.done).results;
    expect(result?.returned, 'the waiting put(8) should return true once there is room').toBe(true);
    expect(queue.take(1000), 'the item the waiting put() added').toBe(8);
  });

  it('two threads putting and two taking at once: every item is taken exactly once', async () => {
    const queue = new BoundedQueue(8);
    const common = { module: module(), ctl: newControl(), threads: 4, buffer: queue.buffer, timeoutMs: 3000, stallMs: 1500, pill: -1 };
    const count = 5_000;
    const producers = [0, 1].map((p) => helper({ kind: 'produce', ...common, first: p * 100_000, count }));
    const consumers = [0, 1].map(() => helper({ kind: 'consume', ...common }));
    const results = await allDone([...producers, ...consumers]);
    const left: number[] = [];
    for (let item = queue.take(0); item !== undefined && left.length <= queue.capacity; item = queue.take(0)) left.push(item);
    const times = new Map<number, number>();
    for (const item of [...results.flatMap((result) => result.taken), ...left]) times.set(item, (times.get(item) ?? 0) + 1);
    // Only what the putting threads did put: one that stalled stopped early.
    const sent = [0, 1].flatMap((p) => Array.from({ length: Math.min(results[p]!.sent, count) }, (_, i) => p * 100_000 + i));
    const missing = sent.filter((item) => !times.has(item));
    const twice = [...times].filter(([, n]) => n > 1).map(([item]) => item);
    // Each taking thread must see each putting thread's items in the order they were put.
    const unordered = results.slice(2).flatMap((result) => {
      const last = [-1, -1];
      return result.taken.filter((item) => {
        const p = Math.floor(item / 100_000);
        const late = item <= last[p]!;
        last[p] = Math.max(last[p]!, item);
        return late;
      });
    });
    expect(
      { missing: missing.length, twice: twice.length, unordered: unordered.length },
      `with 2 threads putting and 2 taking, ${missing.length} items put never came out, ${twice.length} came out twice and ` +
        `${unordered.length} out of order (for example ${[...missing, ...twice, ...unordered].slice(0, 3).join(', ')}): threads changed ` +
        "the queue's head and size at the same time. Do every read and write of the queue state inside mutex.withLock().",
    ).toEqual({ missing: 0, twice: 0, unordered: 0 });
    results.forEach((result, i) => {
      expect(result.stall, result.stall && stallMessage(result.stall, i < 2 ? 'a putting thread' : 'a taking thread')).toBeUndefined();
    });
  });

  it('no lost wake-up: 10,000 items handed from one thread to another through a queue of 1 arrive in order', async () => {
    const queue = new BoundedQueue(1);
    const count = 10_000;
    // For their first 200 waits, both threads nap 1 ms just before Atomics.wait: the other thread's
    // put or take then always lands between "nothing to do" and the wait, where wake-ups get lost.
    const widen = { waits: 200, ms: 1 };
    const common = { module: module(), ctl: newControl(), threads: 2, buffer: queue.buffer, timeoutMs: 3000, stallMs: 1500, widen };
    const pair = [helper({ kind: 'produce', ...common, first: 0, count }), helper({ kind: 'consume', ...common, count })];
    const [sent, got] = (await allDone(pair)) as [LessonResult, LessonResult];
    for (const [result, who] of [[sent, 'the putting thread'], [got, 'the taking thread']] as const) {
      expect(result.stall, result.stall && stallMessage(result.stall, who)).toBeUndefined();
    }
    const wrong = got.taken.findIndex((item, i) => item !== i);
    expect(wrong, `one thread put 0, 1, 2, …, but item number ${wrong} came out as ${got.taken[wrong]}: each item should come out once, in order`).toBe(-1);
    expect(got.taken.length, `the taking thread got ${got.taken.length} of the ${count} items put`).toBe(count);
  });
});

step('01c', () => {
  let runKitchen: KitchenModule['runKitchen'];
  beforeAll(async () => {
    ({ runKitchen } = await import('#target/01-bounded-queue/kitchen.ts'));
  });
  const options = { cooks: 3, eaters: 2, dishesPerCook: 200, capacity: 10 };
  const LIMIT_MS = 5_000;

  /** runKitchen(), stopped after LIMIT_MS with the threads still running named. */
  async function kitchen(run: KitchenOptions): Promise<KitchenReport> {
    const running = runKitchen(run);
    running.catch(() => {}); // if the deadline wins, the threads are ended and this rejects: expected
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const live = liveThreads();
        const why =
          live.length > 0
            ? `and ${live.length} worker thread(s) were still running (${live.map((t) => t.file).join(', ')}). ` +
              'An eater that never takes a poison pill waits forever: after every cook is done, put one poison pill per eater.'
            : "although every worker thread had ended: resolve once each worker has emitted 'exit'.";
        reject(new Error(`runKitchen() had not resolved after ${LIMIT_MS / 1000} s, ${why}`));
      }, LIMIT_MS);
    });
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
  /** A run, and what the thread list showed right after runKitchen() resolved. */
  async function observed(run: KitchenOptions): Promise<{ report: KitchenReport; started: number; live: ReturnType<typeof liveThreads> }> {
    const before = threadsStarted();
    const report = await kitchen(run);
    return { report, live: liveThreads(), started: threadsStarted() - before };
  }
  // The first three checks look at one run, from different sides.
  let shared: ReturnType<typeof observed> | undefined;
  const sharedRun = async () => (await (shared ??= observed(options))).report;

  it('runKitchen() feeds every dish to exactly one eater (3 cooks × 200 dishes, 2 eaters, capacity 10)', async () => {
    const { eaten } = await sharedRun();
    const count = new Map<string, number>();
    for (const dish of eaten) count.set(`${dish.cook}:${dish.seq}`, (count.get(`${dish.cook}:${dish.seq}`) ?? 0) + 1);
    const made = Array.from({ length: options.cooks * options.dishesPerCook }, (_, i) => `${Math.floor(i / options.dishesPerCook)}:${i % options.dishesPerCook}`);
    const strange = [...count.keys()].filter((key) => !made.includes(key));
    const missing = made.filter((key) => !count.has(key));
    const twice = [...count].filter(([, n]) => n > 1).map(([key]) => key);
    const show = (keys: string[]) => keys.slice(0, 3).map((key) => `cook ${key.replace(':', "'s dish ")}`).join(', ');
    expect(strange, `the report lists dishes that no cook made (${strange.slice(0, 3).join(', ')} as cook:seq): a poison pill (-1) is not a dish; stop at it without recording it`).toEqual([]);
    expect(missing.length, `${missing.length} of ${made.length} dishes were never eaten (${show(missing)}): every eater should keep taking until it takes a poison pill, and the pills go in only after every cook is done`).toBe(0);
    expect(twice.length, `${twice.length} dishes were eaten twice (${show(twice)}): two eaters took the same item; the queue must change its head and size under the lock`).toBe(0);
    const eaters = new Set(eaten.map((dish) => dish.eater));
    expect([...eaters].every((eater) => Number.isInteger(eater) && eater >= 0 && eater < options.eaters), `eaters should be numbered 0 to ${options.eaters - 1}, got ${[...eaters].join(', ')}`).toBe(true);
  });

  it("each eater gets any one cook's dishes in the order the cook made them", async () => {
    const { eaten } = await sharedRun();
    const last = new Map<string, number>();
    for (const { eater, cook, seq } of eaten.filter((dish) => dish.seq >= 0)) {
      const before = last.get(`${eater}:${cook}`) ?? -1;
      expect(seq > before, `eater ${eater} ate cook ${cook}'s dish ${seq} after its dish ${before}: a queue gives items back in the order they went in, so list each eater's dishes in the order it took them`).toBe(true);
      last.set(`${eater}:${cook}`, seq);
    }
  });

  it('the backlog rises above 0 but never above the capacity', async () => {
    const { maxBacklog } = await sharedRun();
    expect(maxBacklog, `maxBacklog is ${maxBacklog}: report the largest queue.size a cook sees right after its put()`).toBeGreaterThan(0);
    expect(maxBacklog, `the backlog reached ${maxBacklog} with a capacity of ${options.capacity}: put() must wait while the queue is full`).toBeLessThanOrEqual(options.capacity);
  });

  it('runKitchen() starts one thread per cook and per eater, and resolves only after all of them have exited (2 runs, the second with 1 cook, 3 eaters and capacity 1)', async () => {
    // Not only the first shape: more eaters than cooks, and a queue of one, where every put waits.
    const other = { cooks: 1, eaters: 3, dishesPerCook: 50, capacity: 1 };
    const runs = [
      { run: options, ...(await (shared ??= observed(options))) },
      { run: other, ...(await observed(other)) },
    ];
    for (const [i, { run, report, started, live }] of runs.entries()) {
      const shape = `${run.cooks} cook(s) and ${run.eaters} eaters`;
      expect(started, `run ${i + 1}: runKitchen() started ${started} worker threads for ${shape}: start one thread per cook and one per eater`).toBe(run.cooks + run.eaters);
      expect(live.length, `run ${i + 1}: runKitchen() resolved while ${live.length} worker thread(s) were still running (${live.map((t) => t.file).join(', ')}): wait for each worker's 'exit' event before you resolve`).toBe(0);
      const dishes = run.cooks * run.dishesPerCook;
      expect(report.eaten.length, `run ${i + 1} (${shape}): ${report.eaten.length} of ${dishes} dishes were eaten`).toBe(dishes);
    }
  });
});
