/**
 * A first-in, first-out queue of int32 items that threads share through a SharedArrayBuffer,
 * like Python's `queue.Queue(maxsize)`: put() waits while it is full, take() while it is empty.
 */
import { Mutex } from './mutex.ts';

// TODO: plan the shared memory as Int32 slots, for example:
//   0 the Mutex's slot, 1 a change counter (bumped by every put and take), 2 head (where the
//   oldest item is), 3 size, 4 capacity (so that attach() can read it), then `capacity` items.

export class BoundedQueue {
  /** The queue's memory: send it to another thread and call `BoundedQueue.attach(buffer)` there. */
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;

  /**
   * @param capacity - how many items fit before put() waits; a whole number >= 1.
   * @example
   * const queue = new BoundedQueue(10);
   * queue.put(42);
   * queue.take(); // 42
   */
  constructor(capacity: number) {
    // TODO: throw a TypeError naming `capacity` and the value unless it is a whole number >= 1;
    // then make the SharedArrayBuffer, an Int32Array over it, and a Mutex on its slot 0.
    throw new Error('TODO: write the BoundedQueue constructor in bounded-queue.ts');
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
    // TODO: read the capacity from the buffer and build a BoundedQueue over this same buffer
    // (a constructor with a second, optional `buffer` parameter is one way).
    throw new Error('TODO: write BoundedQueue.attach() in bounded-queue.ts');
  }

  /** How many items are waiting now (another thread may change it a moment later). */
  get size(): number {
    // TODO: read the size slot with Atomics.load.
    throw new Error('TODO: write the size getter in bounded-queue.ts');
  }

  /**
   * Adds `item` at the back; waits while the queue is full.
   *
   * @param item - an int32: a whole number from -2147483648 to 2147483647.
   * @param timeoutMs - how long to wait for room.
   * @default timeoutMs Infinity
   * @returns true when the item went in, false when the time ran out first.
   */
  put(item: number, timeoutMs = Infinity): boolean {
    // TODO: in a loop: under the lock, if there is room, write the item, bump the change counter
    // and return true (after Atomics.notify on the counter, outside the lock). If not, read the
    // counter while still holding the lock, unlock, and Atomics.wait on that value with the time
    // left; return false once the time is up.
    throw new Error('TODO: write put() in bounded-queue.ts');
  }

  /**
   * Removes and returns the item at the front; waits while the queue is empty.
   *
   * @param timeoutMs - how long to wait for an item.
   * @default timeoutMs Infinity
   * @returns the item, or undefined when the time ran out first.
   */
  take(timeoutMs = Infinity): number | undefined {
    // TODO: the same loop as put(), waiting while the queue is empty; return undefined on timeout.
    throw new Error('TODO: write take() in bounded-queue.ts');
  }
}
