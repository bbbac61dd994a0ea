/** Lesson 01, step 01a. Loaded by test/01-bounded-queue.test.ts. */
import { beforeAll, it } from 'vitest';
import { allDone, helper, moduleUrl, newControl, pause, reach, thrown, watchWaiter, type MutexModule } from './lesson-01-checks.ts';
import { FINISHED, STARTED } from './lesson-01.ts';
import { expect, step } from './workshop-test.ts';
import { drawn, fc } from './draw.ts';
import { contractChecks } from './contract/checks.ts';
import { mutexProbe } from './contract/lesson-01.ts';
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

  it('a thread waiting in .lock() sleeps (almost no CPU) and wakes at .unlock(), whatever slot the mutex uses (drawn)', async () => {
    // The mutex at a drawn slot of shared memory whose other slots hold neither state: a thread that
    // waits or notifies on slot 0 instead of its own finds a value it does not expect, and spins.
    await drawn(fc.integer({ min: 1, max: 3 }), { name: '01a slot', runs: 1, describe: (index) => `with the mutex at slot ${index} of 4 (new Mutex(cells, ${index}))` }, async (index) => {
      const cells = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT)).fill(7);
      cells[index] = 0;
      await sleepsAndWakes(new Mutex(cells, index));
    });
  });

  async function sleepsAndWakes(mutex: InstanceType<MutexModule['Mutex']>): Promise<void> {
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
  }

  contractChecks('01a', mutexProbe);
});
