/**
 * first: on a starter, whose first check fails, the time from a save in watch mode to that
 * failure on screen (runner/first-failure.ts prints it the moment it fails), and to the whole
 * verdict. Watch runs in a pseudo-terminal, as a learner's does: the early failure is printed only
 * on a terminal. The floor is the watch item's, measured again here: vitest's own watch mode
 * re-running one trivial test.
 *
 * Goal: the first failure within 1.5x the floor.
 */
import { join } from 'node:path';
import { findStep } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';
import { launch, learnerEnv, saveUnchanged, scratchFolder } from '../child-run.ts';
import type { BenchContext, Item, Measured, RowSpec } from '../item.ts';
import { median, pause } from '../stats.ts';
import { floor } from './watch-steps.ts';

/** A Redis-only step and two whose checks start threads. */
const STEPS = ['02b', '03a', '01b'];
const EARLY = /the first check that failed/;
const VERDICT = /Verdict (\d+) ms after your save/;
const LIMIT_MS = 120_000;

const rows: RowSpec[] = STEPS.map((id) => ({
  key: `first ${id}`,
  what: `starter of ${id}: save -> first failure on screen (watch, terminal)`,
  unit: 'ms',
  baselineWhat: 'vitest --watch, trivial test re-run',
  baselineUnit: 'ms',
  goal: { kind: 'max-ratio', value: 1.5 },
  whyMissed: 'the first failure reached the screen later than 1.5x vitest re-running a trivial test.',
}));

async function watchStarter(ctx: BenchContext, target: string, dir: string, id: string, times: number): Promise<{ early: number[]; whole: number[] }> {
  const { lesson, step } = findStep(id)!;
  const run = launch(['workshop/launch.mjs', 'watch', id], { ...learnerEnv(ctx, target), WORKSHOP_LIVE: '1' }, { tty: true });
  const early: number[] = [];
  const whole: number[] = [];
  try {
    await run.waitFor(new RegExp(`Watching [^\\n]* for ${id} `), 0, LIMIT_MS);
    for (let round = 0; round < times; round++) {
      await pause(200);
      const from = run.output().length;
      const start = performance.now();
      saveUnchanged(join(dir, lesson.slug, step.files[0]!));
      await run.waitFor(EARLY, from, LIMIT_MS);
      early.push(performance.now() - start);
      await run.waitFor(VERDICT, from, LIMIT_MS);
      whole.push(performance.now() - start);
    }
    return { early, whole };
  } finally {
    await run.stop();
  }
}

export const firstFailure: Item = {
  id: 'first',
  title: 'watch mode on a starter: save -> first failure on screen',
  rows,
  quickKeys: ['first 02b'],
  async run(ctx): Promise<Measured[]> {
    const chosen = ctx.quick ? ['02b'] : STEPS;
    const times = ctx.quick ? 1 : 3;
    const slugs = [...new Set(chosen.map((id) => findStep(id)!.lesson.slug))];
    // The starters, as a learner gets them, whatever the bench's target.
    const scratch = scratchFolder('first', Object.fromEntries(slugs.map((slug) => [join(ROOT, 'lessons', slug), slug])));
    try {
      const floorMs = await floor(ctx, times);
      const out: Measured[] = [];
      for (const id of chosen) {
        ctx.log(`  first ${id}...`);
        const { early, whole } = await watchStarter(ctx, scratch.target, scratch.dir, id, times);
        out.push({
          key: `first ${id}`,
          figure: median(early),
          baseline: median(floorMs),
          note: `median of ${early.length} saves (${early.map(Math.round).join(', ')} ms); the whole verdict came ${whole.map(Math.round).join(', ')} ms after the save`,
        });
      }
      return out;
    } finally {
      scratch.remove();
    }
  },
};
