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
    // Memory that is not shared is copied when sent to a thread: each thread would lock its own copy.
    if (!(cells instanceof Int32Array) || !(cells.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(
        `Expected \`cells\` to be an Int32Array over a SharedArrayBuffer, got ${describe(cells)}: ` +
          'other threads only see memory that is shared. Use new Int32Array(new SharedArrayBuffer(4)).',
      );
    }
    if (!Number.isInteger(index) || index < 0 || index >= cells.length) {
      throw new RangeError(`Expected \`index\` to be a whole number from 0 to ${cells.length - 1}, got \`${index}\``);
    }
    this.cells = cells;
    this.index = index;
  }

  /**
   * A mutex in memory of its own. Send `mutex.cells` to another thread and rebuild it there
   * with `new Mutex(cells)`.
   *
   * @example
   * const mutex = Mutex.create();
   * new Worker(file, { workerData: { cells: mutex.cells } });
   */
  static create(): Mutex {
    return new Mutex(new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)));
  }

  /** Waits until no other thread holds the lock, then takes it. */
  lock(): void {
    // Test and set in one step: two threads can never both see UNLOCKED and both take it.
    // MUTANT: looks, then takes, in two steps: two threads can both see UNLOCKED and both take it.
    while (Atomics.load(this.cells, this.index) === LOCKED) Atomics.wait(this.cells, this.index, LOCKED);
    Atomics.store(this.cells, this.index, LOCKED);
  }

  /** Releases the lock and wakes one thread waiting in lock(). */
  unlock(): void {
    if (Atomics.compareExchange(this.cells, this.index, LOCKED, UNLOCKED) !== LOCKED) {
      throw new Error('unlock() was called on a mutex that is not locked: call unlock() once after each lock(), or use withLock()');
    }
    // One is enough: whoever wakes takes the lock, and its own unlock() wakes the next.
    Atomics.notify(this.cells, this.index, 1);
  }

  /**
   * Runs `fn` while holding the lock and returns what it returns.
   *
   * @example
   * const total = mutex.withLock(() => ++cells[1]!);
   */
  withLock<T>(fn: () => T): T {
    this.lock();
    try {
      return fn();
    } finally {
      // A throwing fn must not leave the lock held, or every other thread waits forever.
      this.unlock();
    }
  }
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} over ${value.buffer.constructor.name === 'ArrayBuffer' ? 'an' : 'a'} ${value.buffer.constructor.name}`;
  return `\`${String(value)}\` (${typeof value})`;
}
