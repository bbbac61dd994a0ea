/**
 * 05: how long stop() takes for a WorkerPool of 8 workers, each blocked in a BLPOP with a 30 s
 * timeout, against those 30 s that CLIENT UNBLOCK saves. A fresh pool per stop: start() is
 * cheap here (connections and BLPOPs, no threads), so 100 stops fit in a few seconds.
 */
import { importLesson, within, type Item, type Measured } from '../item.ts';
import { median, percentile, repeat, timed } from '../stats.ts';

const SLUG = '05-client-unblock';
const WORKERS = 8;
const BLOCK_SEC = 30;

interface Pool {
  start(): Promise<void>;
  stop(): Promise<void>;
}
type PoolClass = new (options: { workers: number; queue?: string; blockTimeoutSec?: number; handle: (job: string, worker: number) => void }) => Pool;

export const clientUnblock: Item = {
  id: '05',
  title: 'stop() of a pool of 8 blocked workers',
  rows: [
    {
      key: '05 p50',
      what: 'stop() of 8 workers blocked in BLPOP, median',
      unit: 'ms',
      baselineWhat: 'the BLPOP timeout it avoids',
      baselineUnit: 'ms',
      goal: { kind: 'none' },
      lowerIsBetter: true,
    },
    {
      key: '05 p99',
      what: 'stop() of 8 workers blocked in BLPOP, p99',
      unit: 'ms',
      baselineWhat: 'the BLPOP timeout it avoids',
      baselineUnit: 'ms',
      goal: { kind: 'max-value', value: 20 },
      whyMissed: 'stop() opens a control connection, sends CLIENT UNBLOCK 8 times and waits for 8 QUITs: a slow moment of the machine shows in the tail.',
    },
  ],
  async run(ctx): Promise<Measured[]> {
    const { WorkerPool } = await importLesson<{ WorkerPool: PoolClass }>(ctx, SLUG, 'worker-pool.ts');
    const stops = ctx.quick ? 20 : 100;
    const starts: number[] = [];
    const times = await repeat(stops, ctx.quick ? 2 : 5, async () => {
      const pool = new WorkerPool({ workers: WORKERS, queue: 'bench-jobs', blockTimeoutSec: BLOCK_SEC, handle: () => {} });
      try {
        starts.push(await timed(() => within(10_000, 'WorkerPool.start()', pool.start())));
      } catch (error) {
        // Whatever start() got going must end too; a stop() that fails now says nothing new.
        await within(BLOCK_SEC * 1000 + 5_000, 'WorkerPool.stop() after a failed start', Promise.resolve().then(() => pool.stop())).catch(() => {});
        throw error;
      }
      return timed(() => within(BLOCK_SEC * 1000 + 5_000, 'WorkerPool.stop()', pool.stop()));
    });
    const note = `${stops} stops of a fresh pool each; start() took ${median(starts).toFixed(1)} ms (median, not timed)`;
    const baseline = BLOCK_SEC * 1000;
    return [
      { key: '05 p50', figure: median(times), baseline, note },
      { key: '05 p99', figure: percentile(times, 99), baseline },
    ];
  },
};
