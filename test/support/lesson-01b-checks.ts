/** Lesson 01, step 01b. Loaded by test/01-bounded-queue.test.ts. */
import { beforeAll, it, vi } from 'vitest';
import { allDone, helper, moduleUrl, newControl, pause, reach, stallMessage, thrown, watchWaiter, type MutexModule, type QueueModule } from './lesson-01-checks.ts';
import { drawn, fc } from './draw.ts';
import { FINISHED, STARTED, type LessonResult } from './lesson-01.ts';
import { expect, step } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { queueProbe } from './contract/lesson-01.ts';
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

  it('two BoundedQueues are independent: what one holds, the other does not', () => {
    const first = new BoundedQueue(2);
    const second = new BoundedQueue(3);
    first.put(1, 1000);
    const shared =
      'two BoundedQueues shared their items: keep head, size and the items of each queue in its own SharedArrayBuffer ' +
      '(the one it made, or was given in attach()), not in variables beside the class';
    expect(second.size, `after a put into one new queue, another new queue has size ${second.size}: ${shared}`).toBe(0);
    expect(second.take(0), `take(0) on a second, empty queue returned an item: ${shared}`).toBeUndefined();
    second.put(2, 1000);
    second.put(3, 1000);
    expect([first.take(0), first.take(0)], `the first queue should give back its one item, then nothing: ${shared}`).toEqual([1, undefined]);
    expect(second.size, `the second queue should still hold its 2 items: ${shared}`).toBe(2);
  });

  it('any capacity, any mix of put(item, 0) and take(0), through the queue or a view from attach(): first in, first out, at most capacity items (drawn)', async () => {
    // A model run: the same operations on a plain array, compared after each step. Half of them go
    // through BoundedQueue.attach(queue.buffer), as another thread would see the queue.
    type Op = { put: number; view: boolean } | { take: true; view: boolean };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ put: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), view: fc.boolean() }),
      fc.record({ take: fc.constant(true as const), view: fc.boolean() }),
    );
    const runs = fc.record({ capacity: fc.integer({ min: 1, max: 6 }), ops: fc.array(op, { minLength: 1, maxLength: 30 }) });
    const named = (o: Op) => `${o.view ? 'view.' : ''}${'put' in o ? `put(${o.put}, 0)` : 'take(0)'}`;
    await drawn(runs, { name: '01b model', runs: 25, budgetMs: 1500, describe: ({ capacity, ops }) => `with new BoundedQueue(${capacity}), then ${ops.map(named).join(', ')}` }, async ({ capacity, ops }) => {
      const made = new BoundedQueue(capacity);
      const view = BoundedQueue.attach(made.buffer);
      const model: number[] = [];
      for (const [i, o] of ops.entries()) {
        const target = o.view ? view : made;
        const at = `step ${i + 1}, ${named(o)}, with [${model.join(', ')}] in the queue`;
        if ('put' in o) {
          const room = model.length < capacity;
          const added = target.put(o.put, 0);
          expect(added, `${at}: returned ${added}; ${room ? 'there was room, so it should add the item and return true' : 'the queue was full, so it should return false at once'}`).toBe(room);
          if (room) model.push(o.put);
        } else {
          const want = model.shift();
          const got = target.take(0);
          expect(got, `${at}: returned ${got}; ${want === undefined ? 'the queue was empty, so it should return undefined at once' : `the oldest item, ${want}, should come out first`}`).toBe(want);
        }
        for (const [side, name] of [[made, 'the queue'], [view, 'the attached view']] as const) {
          expect(side.size, `${at}: afterwards .size of ${name} was ${side.size}, where ${model.length} item(s) are in the queue. Keep head and size in the shared memory, which every view reads`).toBe(model.length);
        }
      }
    });
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

  contractChecks('01b', queueProbe);
});
