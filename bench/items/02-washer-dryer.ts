/**
 * 02: dishes per second from wash() (in a thread of its own, as if another program) to dry()
 * through a Redis list, end to end, against the
 * fastest one-client pop the same server can do: redis-benchmark's LPOP, or, without that
 * binary, ioredis PING round trips.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { connect } from '../../workshop/redis.ts';
import { importLesson, within, type BenchContext, type Item, type Measured } from '../item.ts';
import { median, repeat, timed } from '../stats.ts';
import type { FromWasher, ToWasher, WasherJob } from './washer-thread.ts';

const SLUG = '02-washer-dryer';
const run = promisify(execFile);

type Dry = (conn: Redis, onDried: (dish: string) => void | Promise<void>, queue?: string) => Promise<number>;

/** Starts the washer thread; `wash()` runs one round there and resolves once every dish is pushed. */
async function washerThread(ctx: BenchContext, count: number, queue: string): Promise<{ wash(): Promise<void>; stop(): Promise<void> }> {
  const workerData: WasherJob = { module: pathToFileURL(join(ctx.targetDir, SLUG, 'washer.ts')).href, count, queue };
  const worker = new Worker(new URL('./washer-thread.ts', import.meta.url), { workerData });
  const next = () =>
    new Promise<void>((resolve, reject) => {
      worker.once('message', (message: FromWasher) => (message.type === 'error' ? reject(new Error(message.message)) : resolve()));
      worker.once('error', reject);
    });
  const stop = async () => {
    worker.postMessage('end' satisfies ToWasher);
    await within(5_000, 'the washer thread ending', new Promise((resolve) => worker.once('exit', resolve))).catch(() => worker.terminate());
  };
  try {
    await within(30_000, 'the washer thread starting', next());
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return { wash: () => (worker.postMessage('go' satisfies ToWasher), next()), stop };
}

/** LPOP requests per second of redis-benchmark with one client, or undefined when it cannot run here. */
async function redisBenchmark(url: string, requests: number): Promise<number | undefined> {
  const { hostname, port, password, username, protocol } = new URL(url);
  if (protocol !== 'redis:') return undefined;
  const args = ['-h', hostname, '-p', port || '6379', '-c', '1', '-n', String(requests), '-t', 'lpop', '-q'];
  if (password) args.push('-a', decodeURIComponent(password), ...(username ? ['--user', decodeURIComponent(username)] : []));
  try {
    const { stdout } = await run('redis-benchmark', args, { timeout: 30_000 });
    // The progress lines end in \r; the last "N requests per second" is the result.
    const found = [...stdout.matchAll(/([\d.]+) requests per second/g)].pop();
    return found ? Number(found[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** ioredis PING round trips per second, one at a time. */
async function pingRate(conn: Redis, count: number): Promise<number> {
  const ms = await timed(async () => {
    for (let i = 0; i < count; i++) await conn.ping();
  });
  return (count * 1000) / ms;
}

export const washerDryer: Item = {
  id: '02',
  title: 'washer -> dryer through Redis',
  rows: [
    {
      key: '02',
      what: 'washer -> dryer through Redis, end to end',
      unit: 'dishes/s',
      baselineWhat: 'redis-benchmark LPOP, 1 client',
      baselineUnit: 'requests/s',
      goal: { kind: 'min-ratio', value: 0.5 },
      whyMissed:
        'each dish costs two awaited Node round trips (the washer\'s RPUSH, the dryer\'s BLPOP) and a BLPOP that wakes a blocked client, ' +
        'where redis-benchmark is one C client popping an empty list. The lesson wants one BLPOP per dish and onDried awaited (backpressure), ' +
        'so the dryer cannot batch; the ioredis PING rate in the note is its ceiling.',
    },
  ],
  async run(ctx): Promise<Measured[]> {
    const { dry } = await importLesson<{ dry: Dry }>(ctx, SLUG, 'dryer.ts');
    const count = ctx.quick ? 500 : 5_000;
    const rounds = ctx.quick ? 1 : 3;
    const queue = 'bench-dishes';
    const washer = await washerThread(ctx, count, queue);
    const dryer = connect('bench-dryer');
    try {
      // The figure and both baselines take turns, so a busy moment of the machine hits all three alike.
      const [rates, pings, lpops] = [[] as number[], [] as number[], [] as number[]];
      await repeat(rounds, 1, async (round) => {
        let dried = 0;
        const ms = await timed(() => within(60_000, 'wash() and dry()', Promise.all([dry(dryer, () => void dried++, queue), washer.wash()])));
        if (dried !== count) throw new Error(`dry() dried ${dried} dishes, not the ${count} washed`);
        const ping = await pingRate(dryer, count);
        const lpop = await redisBenchmark(ctx.redisUrl, ctx.quick ? 2_000 : 4 * count);
        // Negative rounds are the warm-up.
        if (round < 0) return 0;
        rates.push((count * 1000) / ms);
        pings.push(ping);
        if (lpop !== undefined) lpops.push(lpop);
        return 0;
      });
      const note = `${count} dishes a round, median of ${rounds}; ioredis PING one at a time: ${Math.round(median(pings)).toLocaleString('en')}/s`;
      if (lpops.length === 0) return [{ key: '02', figure: median(rates), baseline: median(pings), baselineWhat: 'ioredis PING (no redis-benchmark)', note }];
      return [{ key: '02', figure: median(rates), baseline: median(lpops), note }];
    } finally {
      await Promise.all([washer.stop(), dryer.quit()]);
    }
  },
};
