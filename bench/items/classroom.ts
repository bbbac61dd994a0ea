/**
 * classroom: 100 simulated learners each send a result every 2 s for 60 s (one request in ten
 * abusive: cut-off JSON, a replay, a stranger's token, 100 KB), against `npm run classroom` in a
 * process of its own and, in the same run, against a bare node:http server answering 202 under the
 * same load. Goals: p99 time to accept a result under 100 ms; the server's memory flat: its heap
 * after a full collection grows by less than 10 MB from the end of the first quarter to the end
 * (resident memory is shown too, but it also holds what the allocator keeps for later).
 */
import type { BenchContext, Item, Measured } from '../item.ts';
import { runLoad, spawnBare, spawnClassroom, type LoadOptions, type LoadResult, type Target } from '../classroom/load.ts';
import { percentile } from '../stats.ts';

const FULL: LoadOptions = { learners: 100, intervalMs: 2000, durationMs: 60_000, abuseEvery: 10 };
const QUICK: LoadOptions = { learners: 20, intervalMs: 500, durationMs: 3000, abuseEvery: 10 };
const MB = 1024 * 1024;

interface Measurement {
  load: LoadResult;
  /** Heap after a full collection and resident memory, at the end of the first quarter and at the end. */
  warm?: { heap: number; rss: number };
  end?: { heap: number; rss: number };
}

async function measure(start: () => Promise<Target>, options: LoadOptions): Promise<Measurement> {
  const target = await start();
  try {
    let warm: Promise<{ heap: number; rss: number }> | undefined;
    const timer = setTimeout(() => (warm = target.memory()), options.durationMs / 4);
    const load = await runLoad(target, options);
    clearTimeout(timer);
    return { load, warm: await warm, end: await target.memory() };
  } finally {
    await target.stop();
  }
}

const growth = (m: Measurement) => (m.warm && m.end ? (m.end.heap - m.warm.heap) / MB : Number.NaN);
const mb = (bytes = 0) => `${(bytes / MB).toFixed(1)} MB`;

export const classroomLoad: Item = {
  id: 'classroom',
  title: 'classroom server under a class of simulated learners',
  rows: [
    {
      key: 'classroom p99',
      what: 'p99 time to accept a result, 100 learners each every 2 s',
      unit: 'ms',
      baselineWhat: 'bare node:http answering 202, same load',
      baselineUnit: 'ms',
      goal: { kind: 'max-value', value: 100 },
      whyMissed: 'Each result is checked, stored in the class\'s Redis (synced to disk) and sent to the board before the 202.',
    },
    {
      key: 'classroom memory',
      what: 'growth of the server\'s heap (after GC), first quarter to end',
      unit: 'MB',
      baselineWhat: 'bare node:http, same load',
      baselineUnit: 'MB',
      goal: { kind: 'max-value', value: 10 },
      whyMissed: 'The server keeps every learner\'s last result per step in memory; more than that is a leak.',
    },
  ],
  async run(ctx: BenchContext): Promise<Measured[]> {
    const options = ctx.quick ? QUICK : FULL;
    ctx.log(`classroom: ${options.learners} learners, a result every ${options.intervalMs} ms for ${options.durationMs / 1000} s, against the bare server first`);
    const bare = await measure(spawnBare, { ...options, abuseEvery: 0 });
    const classroom = await measure(spawnClassroom, options);
    const { load } = classroom;
    const abuse = [...load.abuseStatuses].sort(([a], [b]) => a - b).map(([status, n]) => `${n}×${status}`).join(', ');
    const note =
      `${load.accepted} results accepted (p50 ${percentile(load.latencies, 50).toFixed(1)} ms), ${load.unexpected.length} refused unexpectedly` +
      `${load.unexpected.length ? ` (${[...new Set(load.unexpected)].join(', ')})` : ''}; ${load.abusive} abusive requests got ${abuse}`;
    return [
      { key: 'classroom p99', figure: percentile(load.latencies, 99), baseline: percentile(bare.load.latencies, 99), note },
      {
        key: 'classroom memory',
        figure: growth(classroom),
        baseline: growth(bare),
        note: `heap ${mb(classroom.warm?.heap)} after the first quarter, ${mb(classroom.end?.heap)} at the end; resident ${mb(classroom.warm?.rss)} and ${mb(classroom.end?.rss)}`,
      },
    ];
  },
};
