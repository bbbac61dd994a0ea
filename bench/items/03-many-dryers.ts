/**
 * 03: N dryers (worker threads, 20 ms of work per dish) against the ideal: N times one dryer.
 * Thread start-up is not timed: the dryers start, the bench waits until Redis lists all N as
 * blocked, and only then pushes the dishes. A round ends when the list is empty and all N are
 * blocked again, that is when every dish has been dried.
 */
import type { Redis } from 'ioredis';
import { importLesson, within, type BenchContext, type Item, type Measured, type RowSpec } from '../item.ts';
import { blockedCount, plainClient, until } from '../redis-tools.ts';
import { median, repeat, timed } from '../stats.ts';

const SLUG = '03-many-dryers';
const WORK_MS = 20;
const COUNTS = [1, 2, 4, 8];

interface DryersModule {
  runDryers(options: { dryers: number; timeoutSec: number; workMs: number; queue?: string }): Promise<Array<{ dried: string[] }>>;
}

/** Dishes per second of `dryers` dryers, median of `rounds` rounds, and how long the threads took to start. */
async function measure(ctx: BenchContext, mod: DryersModule, conn: Redis, dryers: number): Promise<{ rate: number; startMs: number }> {
  const queue = `bench-dryers-${dryers}`;
  const key = `${ctx.prefix}${queue}`;
  // Rounds of about half a second, so the wait for the last dish (polled) weighs little.
  const perDryer = ctx.quick ? 2 : 25;
  const rounds = ctx.quick ? 1 : 3;
  const allBlocked = async () => (await blockedCount(conn, ctx.prefix)) === dryers;
  const started = performance.now();
  const running = mod.runDryers({ dryers, timeoutSec: 30, workMs: WORK_MS, queue });
  // A dryer that fails early must fail the wait below, not leave it polling.
  const failed = running.then(() => Promise.reject(new Error('runDryers() resolved before any quit was pushed')));
  failed.catch(() => {});
  try {
    await Promise.race([until(allBlocked, `${dryers} dryers blocked in BLPOP`), failed]);
    const startMs = performance.now() - started;
    const dishes = Array.from({ length: dryers * perDryer }, (_, i) => `dish-${i}`);
    const rates = await repeat(rounds, 1, async () => {
      const ms = await timed(async () => {
        await conn.rpush(key, ...dishes);
        await Promise.race([until(async () => (await conn.llen(key)) === 0 && (await allBlocked()), 'every dish dried'), failed]);
      });
      return (dishes.length * 1000) / ms;
    });
    return { rate: median(rates), startMs };
  } finally {
    // One quit per dryer ends them all, whatever happened above.
    await conn.rpush(key, ...Array.from({ length: dryers }, () => 'quit'));
    await within(30_000, `runDryers() with ${dryers} dryers`, running.catch(() => []));
  }
}

const rows: RowSpec[] = COUNTS.map((n) =>
  n === 1
    ? {
        key: '03 N=1',
        what: '1 dryer, 20 ms of work per dish',
        unit: 'dishes/s',
        baselineWhat: 'ideal: 1000 / 20 ms',
        baselineUnit: 'dishes/s',
        // The goal is on the speed-ups; this row shows what one dish costs beyond its 20 ms.
        goal: { kind: 'none' },
      }
    : {
        key: `03 N=${n}`,
        what: `${n} dryers: speed-up over 1 dryer`,
        unit: 'x',
        baselineWhat: `ideal: ${n}x`,
        baselineUnit: 'x',
        goal: { kind: 'min-ratio', value: 0.9 },
        whyMissed: 'more dryers than cores: the threads share 2 cores for their BLPOP replies and timers, and the last round waits for the slowest.',
      },
);

export const manyDryers: Item = {
  id: '03',
  title: 'N dryers, 20 ms of work per dish',
  rows,
  async run(ctx): Promise<Measured[]> {
    const mod = await importLesson<DryersModule>(ctx, SLUG, 'dryers.ts');
    const conn = plainClient(ctx.redisUrl, 'bench-dryers');
    try {
      const results: Array<{ rate: number; startMs: number }> = [];
      for (const n of COUNTS) results.push(await measure(ctx, mod, conn, n));
      const one = results[0]!.rate;
      const starts = COUNTS.map((n, i) => `N=${n} ${Math.round(results[i]!.startMs)} ms`).join(', ');
      return COUNTS.map((n, i) =>
        n === 1
          ? { key: '03 N=1', figure: one, baseline: 1000 / WORK_MS, note: `threads took this long to start and block (not timed): ${starts}` }
          : { key: `03 N=${n}`, figure: results[i]!.rate / one, baseline: n, note: `${Math.round(results[i]!.rate)} dishes/s` },
      );
    } finally {
      conn.disconnect();
    }
  },
};
