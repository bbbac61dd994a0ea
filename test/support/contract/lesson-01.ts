/** Lesson 01's probes for the contract checks (checks.ts): a Mutex, a BoundedQueue, one runKitchen(). */
import { BoundedQueue } from '#target/01-bounded-queue/bounded-queue.ts';
import { runKitchen } from '#target/01-bounded-queue/kitchen.ts';
import { Mutex } from '#target/01-bounded-queue/mutex.ts';
import { within } from '../waits.ts';
import type { Probe } from './checks.ts';

/** Lets another instance run between two steps of this one. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

export const mutexProbe: Probe = {
  redis: false,
  subject: 'a Mutex',
  done: 'unlock() returned',
  async run({ given, effective }) {
    const index = Number(effective.index);
    const cells = new Int32Array(new SharedArrayBuffer(4 * 4));
    const mutex = 'index' in given ? new Mutex(cells, index) : new Mutex(cells);
    const slot = `slot ${index}${'index' in given ? '' : ' (index left out: 0)'}`;
    mutex.lock();
    const held = [...cells];
    if (held[index] === 0 || held.some((value, i) => i !== index && value !== 0)) {
      throw new Error(`after lock(), the cells held [${held.join(', ')}]: the mutex keeps its state in ${slot} and touches no other`);
    }
    await turn();
    mutex.unlock();
    if ([...cells].some((value) => value !== 0)) throw new Error(`after unlock(), the cells held [${[...cells].join(', ')}]: ${slot} goes back to unlocked (0)`);
    await turn();
    const got = mutex.withLock(() => {
      if (cells[index] === 0) throw new Error(`inside withLock(fn), ${slot} was 0: fn runs while the lock is held`);
      return `inside-${index}`;
    });
    if (got !== `inside-${index}`) throw new Error(`withLock(fn) returned ${JSON.stringify(got)}, not what fn returned`);
    if (cells[index] !== 0) throw new Error(`after withLock(fn), ${slot} was ${cells[index]}: withLock unlocks when fn returns`);
  },
};

export const queueProbe: Probe = {
  redis: false,
  subject: 'a BoundedQueue',
  done: 'the last take() returned',
  async run({ given, effective, tag }) {
    const capacity = Number(effective.capacity);
    const timeoutMs = 'timeoutMs' in given ? Number(given.timeoutMs) : undefined;
    const wait = timeoutMs === undefined ? [] : [timeoutMs];
    const how = timeoutMs === undefined ? 'without a timeout' : `with timeoutMs ${timeoutMs}`;
    const base = tag === 'a' ? 100 : -100;
    const bounded = new BoundedQueue(capacity);
    for (let i = 0; i < capacity; i++) {
      if (bounded.put(base + i, ...wait) !== true) throw new Error(`put() ${how} returned false for item ${i + 1} of a queue of capacity ${capacity}: there was room`);
      await turn();
    }
    if (bounded.size !== capacity) throw new Error(`after ${capacity} put() calls, .size was ${bounded.size}, not ${capacity}`);
    if (timeoutMs !== undefined) {
      const started = performance.now();
      const full = bounded.put(base + capacity, timeoutMs);
      const waited = performance.now() - started;
      if (full !== false) throw new Error(`put() with timeoutMs ${timeoutMs} on a full queue (capacity ${capacity}) returned ${String(full)}, not false`);
      if (waited < timeoutMs - 2) throw new Error(`put() with timeoutMs ${timeoutMs} on a full queue gave up after ${waited.toFixed(1)} ms: it waits timeoutMs first`);
    }
    for (let i = 0; i < capacity; i++) {
      const got = bounded.take(...wait);
      if (got !== base + i) throw new Error(`take() ${how} returned ${String(got)}, where first in, first out gives ${base + i}`);
      await turn();
    }
    if (bounded.size !== 0) throw new Error(`after every item was taken, .size was ${bounded.size}, not 0`);
    if (timeoutMs !== undefined && bounded.take(timeoutMs) !== undefined) throw new Error(`take() with timeoutMs ${timeoutMs} on an empty queue returned an item, not undefined`);
  },
};

export const kitchenProbe: Probe = {
  redis: false,
  subject: 'runKitchen()',
  done: 'runKitchen() resolved',
  async run({ effective }) {
    const options = { cooks: Number(effective.cooks), eaters: Number(effective.eaters), dishesPerCook: Number(effective.dishesPerCook), capacity: Number(effective.capacity) };
    const report = await within(runKitchen(options), 4000, () => `runKitchen(${JSON.stringify(options)}) had not resolved after 4 s`);
    const seen = new Map<number, number[]>();
    for (const { cook, seq } of report.eaten) seen.set(cook, [...(seen.get(cook) ?? []), seq]);
    const total = options.cooks * options.dishesPerCook;
    if (report.eaten.length !== total) throw new Error(`with ${JSON.stringify(options)}, ${report.eaten.length} dishes were eaten, not ${total}: every dish exactly once`);
    for (const seqs of seen.values()) {
      const sorted = [...seqs].sort((a, b) => a - b);
      if (sorted.join() !== Array.from({ length: options.dishesPerCook }, (_, i) => i).join()) {
        throw new Error(`with ${JSON.stringify(options)}, one cook's dishes eaten were seq ${sorted.join(', ')}: each of 0 to ${options.dishesPerCook - 1} once`);
      }
    }
    if (total > 0 && seen.size !== options.cooks) throw new Error(`with ${JSON.stringify(options)}, dishes of ${seen.size} cook(s) were eaten, not ${options.cooks}`);
    if (report.maxBacklog > options.capacity) throw new Error(`with ${JSON.stringify(options)}, the backlog reached ${report.maxBacklog}, above the capacity`);
  },
};
