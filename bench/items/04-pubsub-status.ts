/**
 * 04: messages per second that reach every one of 1, 4 and 16 StatusListeners (each a worker
 * thread with its own subscribed connection, passing each message on to this thread), against
 * the same PUBLISHes to a channel nobody listens to. Shown, no goal yet. The listeners of the
 * smaller fan-outs stay for the larger ones.
 */
import type { Redis } from 'ioredis';
import { importLesson, within, type BenchContext, type Item, type Measured, type RowSpec } from '../item.ts';
import { plainClient } from '../redis-tools.ts';
import { median, timed } from '../stats.ts';

const SLUG = '04-pubsub-status';
const COUNTS = [1, 4, 16];

interface Listener {
  ready: Promise<void>;
  done: Promise<void>;
  close(): Promise<void>;
}
type ListenerClass = new (channel: string, options?: { onMessage?: (message: string) => void }) => Listener;

const burst = (pub: Redis, channel: string, count: number, round: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => pub.publish(channel, `bench ${round}.${i}`)));

/** Listeners on one channel, each counting the messages that reached it. */
class Audience {
  readonly listeners: Listener[] = [];
  readonly #counts: number[] = [];
  #expected = 0;
  #arrived = () => {};

  readonly channel: string;
  readonly StatusListener: ListenerClass;

  constructor(channel: string, StatusListener: ListenerClass) {
    this.channel = channel;
    this.StatusListener = StatusListener;
  }

  /** Adds listeners until there are `total`, and waits until each is subscribed; returns how long that took. */
  async grow(total: number): Promise<number> {
    const started = performance.now();
    const added: Listener[] = [];
    while (this.listeners.length < total) {
      const i = this.#counts.push(this.#expected) - 1;
      const listener = new this.StatusListener(this.channel, { onMessage: () => this.#count(i) });
      this.listeners.push(listener);
      added.push(listener);
    }
    await within(30_000, `${total} listeners subscribing`, Promise.all(added.map((listener) => listener.ready)));
    return performance.now() - started;
  }

  /** Resolves once every listener has had `more` messages more than so far. */
  expect(more: number): Promise<void> {
    this.#expected += more;
    return new Promise((resolve) => (this.#arrived = resolve));
  }

  #count(i: number): void {
    this.#counts[i]!++;
    if (this.#counts.every((count) => count >= this.#expected)) this.#arrived();
  }

  async end(pub: Redis): Promise<void> {
    await pub.publish(this.channel, 'end');
    // A listener that does not end on `end` is closed, so no thread outlives the bench.
    const done = Promise.all(this.listeners.map((listener) => listener.done));
    await within(10_000, 'listeners ending on end', done).catch(() => Promise.all(this.listeners.map((listener) => listener.close())));
  }
}

/** Fan-out to everyone in `audience` against PUBLISH alone, taking turns; round 0 warms up. */
async function fanOut(ctx: BenchContext, audience: Audience, pub: Redis, startMs: number): Promise<Measured> {
  const listeners = audience.listeners.length;
  // The same deliveries at every fan-out: 16 listeners get a sixteenth of the messages.
  const messages = Math.round((ctx.quick ? 1_600 : 16_000) / listeners);
  const rounds = ctx.quick ? 1 : 3;
  const [figures, baselines] = [[] as number[], [] as number[]];
  for (let round = 0; round <= rounds; round++) {
    const everyone = audience.expect(messages);
    const ms = await timed(() => within(30_000, `${messages} messages reaching ${listeners} listeners`, Promise.all([burst(pub, audience.channel, messages, round), everyone])));
    const alone = await timed(() => burst(pub, `${audience.channel}:nobody`, messages, round));
    if (round === 0) continue;
    figures.push((messages * 1000) / ms);
    baselines.push((messages * 1000) / alone);
  }
  const note = `${messages} messages a round, median of ${rounds}; the listener thread(s) added took ${Math.round(startMs)} ms to subscribe (not timed)`;
  return { key: `04 x${listeners}`, figure: median(figures), baseline: median(baselines), note };
}

const rows: RowSpec[] = COUNTS.map((n) => ({
  key: `04 x${n}`,
  what: `pub/sub fan-out to ${n} listener${n === 1 ? '' : 's'}`,
  unit: 'msg/s',
  baselineWhat: 'PUBLISH alone, no subscriber',
  baselineUnit: 'msg/s',
  goal: { kind: 'none' },
}));

export const pubsubStatus: Item = {
  id: '04',
  title: 'pub/sub fan-out to 1, 4, 16 listeners',
  rows,
  async run(ctx): Promise<Measured[]> {
    const { StatusListener } = await importLesson<{ StatusListener: ListenerClass }>(ctx, SLUG, 'status-listener.ts');
    const pub = plainClient(ctx.redisUrl, 'bench-publisher');
    // One audience that grows from 1 to 4 to 16: 16 thread starts instead of 21.
    const audience = new Audience(`${ctx.prefix}status`, StatusListener);
    try {
      const results: Measured[] = [];
      for (const n of COUNTS) results.push(await fanOut(ctx, audience, pub, await audience.grow(n)));
      return results;
    } finally {
      await audience.end(pub);
      pub.disconnect();
    }
  },
};
