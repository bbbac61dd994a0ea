/**
 * A lock that threads share through memory: one Int32 slot of a SharedArrayBuffer that reads
 * UNLOCKED or LOCKED. A thread that finds it LOCKED sleeps in Atomics.wait until unlock() wakes it.
 */
const FREE = 0;
const HELD = 1;
const CONTENDED = 2;

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
    // Three states, as in Drepper's "Futexes Are Tricky": 0 free, 1 held, 2 held with waiters.
    // Only a lock seen with waiters costs its owner a notify at unlock().
    let state = Atomics.compareExchange(this.cells, this.index, FREE, HELD);
    while (state !== FREE) {
      // Mark that someone waits (unless already marked), then sleep while it stays marked.
      if (state === CONTENDED || Atomics.compareExchange(this.cells, this.index, HELD, CONTENDED) !== FREE) {
        Atomics.wait(this.cells, this.index, CONTENDED);
      }
      // Take it as CONTENDED: there may be other sleepers that the next unlock() must wake.
      state = Atomics.compareExchange(this.cells, this.index, FREE, CONTENDED);
    }
  }

  unlock(): void {
    const was = Atomics.exchange(this.cells, this.index, FREE);
    if (was === FREE) throw new Error('unlock() on a mutex that is not locked');
    if (was === CONTENDED) Atomics.notify(this.cells, this.index, 1);
  }

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
