/**
 * warm: what Node's compile cache (workshop/runtime/compile-cache.ts) saves a thread that a check
 * starts: new Worker to its first message, for a thread that loads what the checks' threads load
 * (ioredis through the workshop's connect(), the fallback's preload), with the cache against
 * without it. The cache is warmed by one start first, as the first check of a run warms it; the two
 * kinds take turns, so that both see the same machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../workshop/target.ts';
import type { Item, Measured } from '../item.ts';
import { median } from '../stats.ts';
import { timeThreadStart } from '../thread-start.ts';

const THREAD = [
  "import { parentPort } from 'node:worker_threads';",
  "import { connect } from '#workshop/redis';",
  '',
  "const conn = connect('warm-start');",
  'parentPort!.postMessage(Date.now());',
  'conn.disconnect();',
  '',
].join('\n');

type Kind = 'warm' | 'cold';

export const warmStart: Item = {
  id: 'warm',
  title: "a check's thread start with Node's compile cache",
  rows: [
    {
      key: 'warm thread',
      what: 'a thread that loads ioredis, compile cache warm: new Worker to first message',
      unit: 'ms',
      baselineWhat: 'the same thread with the cache off',
      baselineUnit: 'ms',
      goal: { kind: 'none' },
      lowerIsBetter: true,
    },
  ],
  async run(ctx): Promise<Measured[]> {
    // Inside the project, so that '#workshop/redis' resolves through package.json's imports.
    const dir = join(ROOT, '.workshop', 'bench', `warm-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const cache = mkdtempSync(join(dir, 'cache-'));
    try {
      const file = join(dir, 'warm-thread.ts');
      writeFileSync(file, THREAD);
      const base = { ...process.env };
      delete base.NODE_COMPILE_CACHE;
      const envs: Record<Kind, NodeJS.ProcessEnv> = {
        warm: { ...base, NODE_COMPILE_CACHE: cache },
        cold: { ...base, NODE_DISABLE_COMPILE_CACHE: '1' },
      };
      // One of each first, not counted: the first fills the cache, and the disk cache warms for both.
      for (const kind of ['warm', 'cold'] as const) await timeThreadStart(file, envs[kind]);
      const rounds = ctx.quick ? 2 : 15;
      const times: Record<Kind, number[]> = { warm: [], cold: [] };
      for (let round = 0; round < rounds; round++) {
        const order: Kind[] = round % 2 === 0 ? ['warm', 'cold'] : ['cold', 'warm'];
        for (const kind of order) times[kind].push((await timeThreadStart(file, envs[kind])).messageMs);
      }
      return [
        {
          key: 'warm thread',
          figure: median(times.warm),
          baseline: median(times.cold),
          note: `median of ${rounds} starts each, taking turns; the cache was filled by one start before`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
