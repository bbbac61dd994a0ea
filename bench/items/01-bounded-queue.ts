/**
 * 01: items per second through the lesson's BoundedQueue with 3 cook and 2 eater threads,
 * against the same items sent one-way by postMessage between the same threads.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { importLesson, within, type BenchContext, type Item, type Measured } from '../item.ts';
import { median, wallNow } from '../stats.ts';
import { GO, type KitchenThreadJob, type KitchenThreadMessage } from './kitchen-protocol.ts';

const SLUG = '01-bounded-queue';
const COOKS = 3;
const EATERS = 2;
const CAPACITY = 10;

/** Five threads, started and waiting for their first round. */
interface Kitchen {
  startMs: number;
  /** Runs one round; resolves with its items per second. */
  round(): Promise<number>;
  stop(): Promise<void>;
}

function jobsFor(mode: KitchenThreadJob['mode'], base: Omit<KitchenThreadJob, 'role' | 'id'>): Array<{ job: KitchenThreadJob; transfer: MessagePort[] }> {
  const jobs: Array<{ job: KitchenThreadJob; transfer: MessagePort[] }> = [];
  if (mode === 'queue') {
    for (let id = 0; id < COOKS; id++) jobs.push({ job: { ...base, role: 'cook', id }, transfer: [] });
    for (let id = 0; id < EATERS; id++) jobs.push({ job: { ...base, role: 'eater', id }, transfer: [] });
    return jobs;
  }
  // One channel per cook and eater: port1 stays with the cook, port2 goes to the eater.
  const channels = Array.from({ length: COOKS }, () => Array.from({ length: EATERS }, () => new MessageChannel()));
  for (let id = 0; id < COOKS; id++) {
    const ports = channels[id]!.map((channel) => channel.port1);
    jobs.push({ job: { ...base, role: 'cook', id, ports }, transfer: ports });
  }
  for (let id = 0; id < EATERS; id++) {
    const ports = channels.map((row) => row[id]!.port2);
    jobs.push({ job: { ...base, role: 'eater', id, ports }, transfer: ports });
  }
  return jobs;
}

/** Starts the cook and eater threads of one mode and waits until every one is ready. */
async function startKitchen(mode: KitchenThreadJob['mode'], ctx: BenchContext, perCook: number, rounds: number): Promise<Kitchen> {
  const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const base = { mode, cooks: COOKS, eaters: EATERS, perCook, rounds, control };
  if (mode === 'queue') {
    type QueueClass = new (capacity: number) => { buffer: SharedArrayBuffer };
    const { BoundedQueue } = await importLesson<{ BoundedQueue: QueueClass }>(ctx, SLUG, 'bounded-queue.ts');
    Object.assign(base, { module: pathToFileURL(join(ctx.targetDir, SLUG, 'bounded-queue.ts')).href, buffer: new BoundedQueue(CAPACITY).buffer });
  }
  const started = performance.now();
  const threads = jobsFor(mode, base).map(({ job, transfer }) =>
    new Worker(new URL('./kitchen-thread.ts', import.meta.url), { workerData: job, transferList: transfer }),
  );
  const inbox: KitchenThreadMessage[] = [];
  let sleepers: Array<() => void> = [];
  const wake = () => {
    const woken = sleepers;
    sleepers = [];
    for (const resolve of woken) resolve();
  };
  let failure: Error | undefined;
  for (const thread of threads) {
    thread.on('message', (message: KitchenThreadMessage) => (inbox.push(message), wake()));
    thread.on('error', (error) => ((failure ??= error), wake()));
  }
  async function next<T extends 'ready' | 'done'>(type: T): Promise<Extract<KitchenThreadMessage, { type: T }>> {
    for (;;) {
      const error = inbox.find((message) => message.type === 'error');
      if (error?.type === 'error') throw new Error(error.message);
      if (failure) throw failure;
      const index = inbox.findIndex((message) => message.type === type);
      if (index >= 0) return inbox.splice(index, 1)[0] as Extract<KitchenThreadMessage, { type: T }>;
      await new Promise<void>((resolve) => sleepers.push(resolve));
    }
  }
  const stop = async () => void (await Promise.all(threads.map((thread) => thread.terminate())));
  try {
    await within(30_000, `starting the ${mode} kitchen`, Promise.all(threads.map(() => next('ready'))));
  } catch (error) {
    await stop();
    throw error;
  }
  const cells = new Int32Array(control);
  let round = 0;
  return {
    startMs: performance.now() - started,
    stop,
    async round() {
      const t0 = wallNow();
      Atomics.store(cells, GO, ++round);
      Atomics.notify(cells, GO);
      const done = await within(30_000, `round ${round} of the ${mode} kitchen`, Promise.all([next('done'), next('done')]));
      const taken = done[0].taken + done[1].taken;
      if (taken !== COOKS * perCook) throw new Error(`the eaters took ${taken} items, not the ${COOKS * perCook} the cooks put`);
      return (COOKS * perCook * 1000) / (Math.max(done[0].end, done[1].end) - t0);
    },
  };
}

export const boundedQueue: Item = {
  id: '01',
  title: 'BoundedQueue, 3 cooks / 2 eaters threads',
  rows: [
    {
      key: '01',
      what: 'BoundedQueue, 3 cooks / 2 eaters threads',
      unit: 'items/s',
      baselineWhat: 'one-way postMessage, same threads',
      baselineUnit: 'items/s',
      goal: { kind: 'min-ratio', value: 2 },
      whyMissed:
        'every item is handed over under one lock in a queue of 10, so 5 threads on 2 cores take turns every few items and sleep ' +
        'and wake through the kernel; postMessage has no capacity and no lock, and each side batches. Tried: a waiter count (notify ' +
        'only when someone sleeps), separate counters for "not full" and "not empty" with notify(1), and spinning before sleeping ' +
        'in the mutex: no clear gain, within the noise.',
    },
  ],
  async run(ctx): Promise<Measured[]> {
    const perCook = ctx.quick ? 5_000 : 30_000;
    const rounds = ctx.quick ? 1 : 3;
    // One warm-up round each, then the two kitchens take turns, so a busy moment hits both alike.
    const queue = await startKitchen('queue', ctx, perCook, rounds + 1);
    try {
      const post = await startKitchen('post', ctx, perCook, rounds + 1);
      try {
        const [queueRates, postRates] = [[] as number[], [] as number[]];
        for (let round = 0; round <= rounds; round++) {
          const [q, p] = [await queue.round(), await post.round()];
          if (round > 0) {
            queueRates.push(q);
            postRates.push(p);
          }
        }
        const note = `${COOKS * perCook} items a round, capacity ${CAPACITY}, median of ${rounds}; 5 threads took ${Math.round(queue.startMs)} ms to start (not timed)`;
        return [{ key: '01', figure: median(queueRates), baseline: median(postRates), note }];
      } finally {
        await post.stop();
      }
    } finally {
      await queue.stop();
    }
  },
};
