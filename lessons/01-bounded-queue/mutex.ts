/**
 * A lock that threads share through memory: one Int32 slot of a SharedArrayBuffer that reads
 * UNLOCKED or LOCKED. A thread that finds it LOCKED sleeps in Atomics.wait until unlock() wakes it.
 */
const UNLOCKED = 0;
const LOCKED = 1;

export class Mutex {
  /** The shared memory; the lock is `cells[index]`. */
  readonly cells: Int32Array;
  readonly index: number;

  /**
   * Uses `cells[index]` as a lock. Every thread that passes the same memory gets the same lock.
   *
   * @param cells - an Int32Array over a SharedArrayBuffer; `cells[index]` must start at 0.
   * @param index - which slot of `cells` holds the lock.
   * @default index 0
   * @example
   * const cells = new Int32Array(new SharedArrayBuffer(8)); // [lock, counter]
   * const mutex = new Mutex(cells, 0);
   * mutex.withLock(() => { cells[1]! += 1; });
   */
  constructor(cells: Int32Array, index = 0) {
    // TODO: unless cells is an Int32Array over a SharedArrayBuffer, throw a TypeError that names
    // `cells` (memory that is not shared is copied to each thread: each would lock its own copy).
    this.cells = cells;
    this.index = index;
  }

  /** A mutex in memory of its own. Send `mutex.cells` to another thread; `new Mutex(cells)` there. */
  static create(): Mutex {
    return new Mutex(new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)));
  }

  /** Waits until no other thread holds the lock, then takes it. */
  lock(): void {
    // TODO: take the lock in one step: Atomics.compareExchange(this.cells, this.index, UNLOCKED, LOCKED)
    // returns what was there before. While that is not UNLOCKED, sleep with Atomics.wait until the
    // slot stops reading LOCKED, then try again. (Never loop without waiting: that burns a core.)
    throw new Error('TODO: write lock() in mutex.ts');
  }

  /** Releases the lock and wakes one thread waiting in lock(). */
  unlock(): void {
    // TODO: set the slot back to UNLOCKED (throw an Error saying the mutex is "not locked" if it
    // was not LOCKED), then wake one waiting thread with Atomics.notify.
    throw new Error('TODO: write unlock() in mutex.ts');
  }

  /**
   * Runs `fn` while holding the lock and returns what it returns.
   *
   * @example
   * const total = mutex.withLock(() => ++cells[1]!);
   */
  withLock<T>(fn: () => T): T {
    // TODO: lock, run fn, and unlock even when fn throws (try/finally).
    throw new Error('TODO: write withLock() in mutex.ts');
  }
}
