import { Worker } from 'node:worker_threads';
import { Status } from './status.ts';

export interface StatusListenerOptions {
  /** Called in this thread with every message that is not a status word, in the order published. */
  onMessage?: (message: string) => void;
}

/** What the listener hands its worker thread (through `workerData`). */
export interface ListenerData {
  channel: string;
  /** One Int32 slot: the status, written by the worker, read by the parent. */
  status: SharedArrayBuffer;
}

/** What the worker thread posts to the parent. The status is never among them: it lives in `status`. */
export type FromWorker = { type: 'ready' } | { type: 'message'; message: string };

// One status slot for the module, made once.
const statusBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);

/**
 * Listens to a Redis channel in a worker thread of its own and keeps the status the messages set
 * (see `transition()`) in shared memory, where this thread can read it at any moment.
 *
 * @example
 * const listener = new StatusListener('machine', { onMessage: (text) => console.log(text) });
 * await listener.ready;             // subscribed: from now on, PUBLISH reaches it
 * await conn.publish('machine', 'start');
 * listener.status;                  // Status.RUNNING, as soon as the worker has stored it
 * await conn.publish('machine', 'end');
 * await listener.done;              // unsubscribed, disconnected, thread ended
 */
export class StatusListener {
  readonly channel: string;
  /** Resolves once Redis has confirmed the subscription; rejects if the thread ends before. */
  readonly ready: Promise<void>;
  /** Resolves once the thread has exited, after `end` or `close()`; rejects if it failed. */
  readonly done: Promise<void>;
  readonly #status: Int32Array;
  readonly #worker: Worker;
  #closing = false;

  constructor(channel: string, options: StatusListenerOptions = {}) {
    if (typeof channel !== 'string' || channel === '') {
      throw new TypeError(`Expected \`channel\` to be a non-empty string, got \`${String(channel)}\` (${typeof channel})`);
    }
    const { onMessage } = options;
    if (onMessage !== undefined && typeof onMessage !== 'function') {
      throw new TypeError(`Expected \`options.onMessage\` to be a function, got \`${String(onMessage)}\` (${typeof onMessage})`);
    }
    this.channel = channel;
    const buffer = statusBuffer;
    this.#status = new Int32Array(buffer);
    Atomics.store(this.#status, 0, Status.INIT);
    const workerData: ListenerData = { channel, status: buffer };
    // A subscribed connection does nothing but wait for messages, so it gets a thread of its own.
    this.#worker = new Worker(new URL('./status-worker.ts', import.meta.url), { workerData });
    const worker = this.#worker;
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else onMessage?.(message.message);
      });
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error(`The listener's thread ended before it had subscribed to ${channel}`)));
    });
    this.done = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => {
        // Only the thread's own 'exit' says it is really gone; a message from it cannot.
        if (code === 0 || this.#closing) resolve();
        else reject(new Error(`The listener's thread exited with code ${code}`));
      });
    });
    // Nobody has to await these; a failure still shows where they are awaited.
    this.ready.catch(() => {});
    this.done.catch(() => {});
  }

  /** The current status, read straight from shared memory: no message, no waiting. */
  get status(): Status {
    return Atomics.load(this.#status, 0) as Status;
  }

  /** Ends the thread at once (its connection closes with it), for when `end` never comes. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
    await this.done;
  }
}
