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

  constructor(channel: string, options: StatusListenerOptions = {}) {
    // TODO: throw a TypeError naming `channel` unless it is a non-empty string, before anything else.
    // TODO: make a SharedArrayBuffer of one Int32 slot holding Status.INIT, and keep an Int32Array on it.
    // TODO: start the thread: new Worker(new URL('./status-worker.ts', import.meta.url), { workerData }),
    //       with workerData = { channel, status: buffer } (a ListenerData).
    // TODO: ready: resolve on the worker's { type: 'ready' } message; reject on 'error', or on 'exit' before it.
    //       Pass each { type: 'message' } to options.onMessage.
    // TODO: done: resolve on the worker's 'exit' (only then is the thread really gone) with code 0, or after
    //       close(); reject on 'error' or on another exit code (the thread failed). Nobody has to await
    //       ready or done: give each a .catch(() => {}) of its own, or one that rejects with nobody
    //       listening ends the program.
    throw new Error('TODO: StatusListener is not written yet (lessons/04-pubsub-status/status-listener.ts)');
  }

  /** The current status, read straight from shared memory: no message, no waiting. */
  get status(): Status {
    // TODO: return Atomics.load on your Int32Array, slot 0.
    throw new Error('TODO: status is not written yet');
  }

  /** Ends the thread at once (its connection closes with it), for when `end` never comes. */
  async close(): Promise<void> {
    // TODO: worker.terminate(), then let `done` resolve (not reject): ending was asked for.
    throw new Error('TODO: close() is not written yet');
  }
}
