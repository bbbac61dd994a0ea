import { Worker } from 'node:worker_threads';
import { Status } from './status.ts';

export interface StatusListenerOptions {
  onMessage?: (message: string) => void;
}

export interface ListenerData {
  channel: string;
  status: SharedArrayBuffer;
}

/** The worker posts only the messages that are not status words; `ready` is read from shared memory. */
export type FromWorker = { type: 'message'; message: string };

/**
 * A listener whose `ready` waits on the shared status itself (Atomics.waitAsync) rather than on a
 * message: the worker stores READY and notifies once Redis has confirmed the subscription.
 */
export class StatusListener {
  readonly channel: string;
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  readonly #cells: Int32Array;
  readonly #worker: Worker;
  #closing = false;

  constructor(channel: string, options: StatusListenerOptions = {}) {
    if (typeof channel !== 'string' || channel.length === 0) throw new TypeError('channel must be a non-empty string');
    if (options.onMessage !== undefined && typeof options.onMessage !== 'function') throw new TypeError('onMessage must be a function');
    this.channel = channel;
    const status = new SharedArrayBuffer(4);
    this.#cells = new Int32Array(status);
    this.#worker = new Worker(new URL('./status-worker.ts', import.meta.url), { workerData: { channel, status } satisfies ListenerData });
    this.#worker.on('message', (message: FromWorker) => options.onMessage?.(message.message));

    const ended = new Promise<number>((resolve, reject) => {
      this.#worker.once('exit', resolve);
      this.#worker.once('error', reject);
    });
    this.done = ended.then((code) => {
      if (code !== 0 && !this.#closing) throw new Error(`the listener's thread exited with code ${code}`);
    });
    const gone = ended.then(() => {
      throw new Error(`the listener's thread ended before it had subscribed to ${channel}`);
    });
    this.ready = (async () => {
      while (Atomics.load(this.#cells, 0) === Status.INIT) {
        const wait = Atomics.waitAsync(this.#cells, 0, Status.INIT);
        if (wait.async) await Promise.race([wait.value, gone]);
      }
    })();
    this.ready.catch(() => {});
    this.done.catch(() => {});
  }

  get status(): Status {
    return Atomics.load(this.#cells, 0) as Status;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
    await this.done;
  }
}
