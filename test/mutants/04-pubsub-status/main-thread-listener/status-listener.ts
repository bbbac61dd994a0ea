import type { Redis } from 'ioredis';
import { connect } from '#workshop/redis';
import { isCommand, Status, transition } from './status.ts';

export interface StatusListenerOptions {
  onMessage?: (message: string) => void;
}

export interface ListenerData {
  channel: string;
  status: SharedArrayBuffer;
}

export type FromWorker = { type: 'ready' } | { type: 'message'; message: string };

/** Subscribes right here in the parent: no thread needed, ioredis is asynchronous anyway. */
export class StatusListener {
  readonly channel: string;
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  #status: Status = Status.INIT;
  readonly #conn: Redis;
  #finished = () => {};

  constructor(channel: string, options: StatusListenerOptions = {}) {
    if (typeof channel !== 'string' || channel === '') {
      throw new TypeError(`Expected \`channel\` to be a non-empty string, got \`${String(channel)}\` (${typeof channel})`);
    }
    this.channel = channel;
    this.#conn = connect('status-listener');
    this.done = new Promise((resolve) => (this.#finished = resolve));
    this.#conn.on('message', (_channel: string, message: string) => {
      if (!isCommand(message)) return options.onMessage?.(message);
      const after = transition(this.#status, message);
      if (after === this.#status) return;
      this.#status = after;
      if (after === Status.END) void this.#finish();
    });
    this.ready = this.#conn.subscribe(channel).then(() => {
      this.#status = Status.READY;
    });
    this.ready.catch(() => {});
  }

  get status(): Status {
    return this.#status;
  }

  async #finish(): Promise<void> {
    await this.#conn.unsubscribe(this.channel);
    await this.#conn.quit();
    this.#finished();
  }

  async close(): Promise<void> {
    this.#conn.disconnect();
    this.#finished();
  }
}
