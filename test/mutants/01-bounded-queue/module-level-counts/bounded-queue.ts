/**
 * A first-in, first-out queue of int32 items that threads share through a SharedArrayBuffer,
 * like Python's `queue.Queue(maxsize)`: put() waits while it is full, take() while it is empty.
 */
import { Mutex } from './mutex.ts';

// The shared memory, in Int32 slots: a header, then a ring of `capacity` items.
const LOCK = 0; // the Mutex's slot
const CHANGES = 1; // counts every put and take: what waiting threads sleep on
const HEAD = 2; // where the oldest item is in the ring
const SIZE = 3; // how many items the ring holds
const CAPACITY = 4; // kept in the buffer so that attach() can read it
const HEADER = 5;

// Where the oldest item is and how many there are, kept beside the class.
const ring = { head: 0, size: 0 };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export class BoundedQueue {
  /** The queue's memory: send it to another thread and call `BoundedQueue.attach(buffer)` there. */
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly #cells: Int32Array;
  readonly #mutex: Mutex;

  /**
   * @param capacity - how many items fit before put() waits; a whole number >= 1.
   * @example
   * const queue = new BoundedQueue(10);
   * queue.put(42);
   * queue.take(); // 42
   */
  constructor(capacity: number, /** Only for attach(): an existing queue's memory. */ buffer?: SharedArrayBuffer) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`Expected \`capacity\` to be a whole number >= 1, got \`${String(capacity)}\` (${typeof capacity})`);
    }
    this.buffer = buffer ?? new SharedArrayBuffer((HEADER + capacity) * Int32Array.BYTES_PER_ELEMENT);
    this.capacity = capacity;
    this.#cells = new Int32Array(this.buffer);
    this.#mutex = new Mutex(this.#cells, LOCK);
    if (!buffer) this.#cells[CAPACITY] = capacity;
  }

  /**
   * The same queue, seen from another thread.
   *
   * @param buffer - `queue.buffer` of a queue made with `new BoundedQueue(capacity)`.
   * @example
   * // in the worker thread
   * const queue = BoundedQueue.attach(workerData.buffer);
   */
  static attach(buffer: SharedArrayBuffer): BoundedQueue {
    const capacity = buffer instanceof SharedArrayBuffer && buffer.byteLength > HEADER * 4 ? new Int32Array(buffer)[CAPACITY]! : 0;
    if (capacity < 1 || buffer.byteLength !== (HEADER + capacity) * Int32Array.BYTES_PER_ELEMENT) {
      throw new TypeError(`Expected \`buffer\` to be the .buffer of a BoundedQueue, got \`${String(buffer)}\``);
    }
    return new BoundedQueue(capacity, buffer);
  }

  /** How many items are waiting now (another thread may change it a moment later). */
  get size(): number {
    return Atomics.load(this.#cells, SIZE);
  }

  /**
   * Adds `item` at the back; waits while the queue is full.
   *
   * @param item - an int32: a whole number from -2147483648 to 2147483647.
   * @param timeoutMs - how long to wait for room.
   * @default timeoutMs Infinity
   * @returns true when the item went in, false when the time ran out first.
   * @example
   * if (!queue.put(7, 100)) console.log('still full after 100 ms');
   */
  put(item: number, timeoutMs = Infinity): boolean {
    if (!Number.isInteger(item) || item < INT32_MIN || item > INT32_MAX) {
      throw new TypeError(`Expected \`item\` to be an int32 (a whole number from ${INT32_MIN} to ${INT32_MAX}), got \`${String(item)}\``);
    }
    const cells = this.#cells;
    const added = this.#when(timeoutMs, () => {
      if (ring.size === this.capacity) return undefined;
      cells[HEADER + ((ring.head + ring.size) % this.capacity)] = item;
      ring.size++;
      Atomics.store(cells, SIZE, ring.size);
      return true;
    });
    return added ?? false;
  }

  /**
   * Removes and returns the item at the front; waits while the queue is empty.
   *
   * @param timeoutMs - how long to wait for an item.
   * @default timeoutMs Infinity
   * @returns the item, or undefined when the time ran out first.
   * @example
   * const dish = queue.take(); // waits as long as it takes
   */
  take(timeoutMs = Infinity): number | undefined {
    const cells = this.#cells;
    return this.#when(timeoutMs, () => {
      if (ring.size === 0) return undefined;
      const item = cells[HEADER + ring.head]!;
      ring.head = (ring.head + 1) % this.capacity;
      ring.size--;
      Atomics.store(cells, SIZE, ring.size);
      return item;
    });
  }

  /** Runs `attempt` under the lock until it returns a value or the time runs out. */
  #when<T>(timeoutMs: number, attempt: () => T | undefined): T | undefined {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      throw new TypeError(`Expected \`timeoutMs\` to be a number >= 0, got \`${String(timeoutMs)}\``);
    }
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let seen = 0;
      const result = this.#mutex.withLock(() => {
        const value = attempt();
        if (value !== undefined) Atomics.add(this.#cells, CHANGES, 1);
        // Read under the lock: any put or take after this moment changes the counter.
        else seen = Atomics.load(this.#cells, CHANGES);
        return value;
      });
      if (result !== undefined) {
        // Wake everyone: putters and takers sleep on the same counter, and each re-checks.
        Atomics.notify(this.#cells, CHANGES);
        return result;
      }
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      // Returns at once if the counter moved since we looked, so a wake-up in between is not lost.
      Atomics.wait(this.#cells, CHANGES, seen, left);
    }
  }
}
