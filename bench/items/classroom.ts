/**
 * classroom: 100 simulated learners each send a result every 2 s for 60 s (one request in ten
 * abusive: cut-off JSON, a replay, a stranger's token, 100 KB), against `npm run classroom` in a
 * process of its own and, in the same run, against a bare node:http server answering 202 under the
 * same load. Goals: p99 time to accept a result under 100 ms; the server's memory flat (growth
 * from the end of the first quarter to the end under 10 MB).
 */
import type { BenchContext, Item, Measured } from '../item.ts';
import { percentile, runLoad, spawnBare, spawnClassroom, type LoadOptions, type LoadResult, type Target } from '../classroom/load.ts';

const FULL: LoadOptions = { learners: 100, intervalMs: 2000, durationMs: 60_000, abuseEvery: 10 };
const QUICK: LoadOptions = { learners: 20, intervalMs: 500, durationMs: 3000, abuseEvery: 10 };
const MB = 1024 * 1024;

interface Measurement {
  load: LoadResult;
  /** Resident memory at the end of the first quarter and at the end, bytes. */
  rssWarm?: number;
  rssEnd?: number;
}

async function measure(start: () => Promise<Target>, options: LoadOptions): Promise<Measurement> {
  const target = await start();
  try {
    let rssWarm: number | undefined;
    const warm = setTimeout(() => (rssWarm = target.rss()), options.durationMs / 4);
    const load = await runLoad(target, options);
    clearTimeout(warm);
    return { load, rssWarm, rssEnd: target.rss() };
  } finally {
    await target.stop();
  }
}

const growth = (m: Measurement) => (m.rssWarm !== undefined && m.rssEnd !== undefined ? (m.rssEnd - m.rssWarm) / MB : Number.NaN);

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
      what: 'growth of the server\'s memory, first quarter to end',
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
        note: `resident ${((classroom.rssWarm ?? 0) / MB).toFixed(1)} MB after the first quarter, ${((classroom.rssEnd ?? 0) / MB).toFixed(1)} MB at the end`,
      },
    ];
  },
};
