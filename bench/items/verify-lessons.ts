/**
 * verify: the wall time of a cold `npm run verify -- NN` for each lesson, against vitest running
 * one trivial test with no Redis (bench/fixtures/trivial). Each is a child process started with
 * node itself, as the npm scripts do, so that npm's own start-up (about 0.4 s) weighs on none of
 * them. Goals: at most 2x the baseline for every lesson, 1.5x for lesson 02 (the quickest to
 * verify). In the same rounds vitest alone runs each lesson's checks (bench/step-costs.ts), so a
 * missed row's whyMissed splits the time: the baseline, the checks' own durations (vitest's, per
 * check), loading the lesson's checks, and what verify adds around vitest.
 */
import { lessons, minRedisFor } from '../../workshop/manifest.ts';
import { provideRedis } from '../../workshop/provision/provision.ts';
import { TRIVIAL, VITEST, learnerEnv, wallTime } from '../child-run.ts';
import type { BenchContext, Item, Measured, RowSpec } from '../item.ts';
import { median, timed } from '../stats.ts';
import { runChecks, type StepCost } from '../step-costs.ts';

const QUICK_LESSON = '02';
const goalOf = (id: string) => (id === QUICK_LESSON ? 1.5 : 2);

const rows: RowSpec[] = lessons.map((lesson) => ({
  key: `verify ${lesson.id}`,
  what: `npm run verify -- ${lesson.id}`,
  unit: 's',
  baselineWhat: 'vitest, one trivial test',
  baselineUnit: 's',
  goal: { kind: 'max-ratio', value: goalOf(lesson.id) },
  whyMissed: `verify starts vitest and a Redis, and runs lesson ${lesson.id}'s checks against it.`,
}));

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Where a lesson's verify time went, in one line; every figure a median of this run's rounds. */
function whereTimeWent(verifyMs: number, trivialMs: number, direct: { wallMs: number; checksMs: number }, cost: StepCost, redisMs?: number): string {
  const slowest = cost.slowest ? `; the slowest "${cost.slowest.name}" ${seconds(cost.slowest.ms)}` : '';
  const threads = cost.threads > 0 ? `; they start ${cost.threads} worker threads, ${Math.round(median(cost.threadOnlineMs.length ? cost.threadOnlineMs : [0]))} ms each (median) from new Worker to online` : '';
  const processes = cost.processes > 0 ? `; they start ${cost.processes} node child process(es)` : '';
  const redis = redisMs === undefined ? 'no Redis to start: REDIS_URL is set' : `starting a Redis, ${seconds(redisMs)} here`;
  return (
    `${seconds(verifyMs)} = ${seconds(trivialMs)} vitest start-up (the baseline) ` +
    `+ ${seconds(direct.checksMs)} the ${cost.checks} checks' own durations (vitest's, deliberate waits included${slowest}${threads}${processes}) ` +
    `+ ${seconds(verifyMs - trivialMs - direct.checksMs)} the rest: ${redis}, the global setup, the setup file, transforming and importing the test file and the lesson code, ` +
    `the report. For comparison, vitest's own CLI on the same checks alone takes ${seconds(direct.wallMs)} (its summary: ${cost.vitestDuration ?? 'none'}).`
  );
}

export const verifyLessons: Item = {
  id: 'verify',
  title: 'cold verify of each lesson',
  rows,
  quickKeys: [`verify ${QUICK_LESSON}`],
  async run(ctx: BenchContext): Promise<Measured[]> {
    const env = learnerEnv(ctx);
    const chosen = ctx.quick ? lessons.filter((lesson) => lesson.id === QUICK_LESSON) : lessons;
    const trivial = () => wallTime([VITEST, 'run', '--root', TRIVIAL], env, true);
    const verify = (id: string) => wallTime(['workshop/launch.mjs', 'verify', id], env, ctx.targetName === 'solutions');
    // What starting a Redis costs a verify that has no REDIS_URL: the same provisioning, timed alone.
    const startRedis = () => provideRedis({ minVersion: minRedisFor(), env }).then((redis) => redis.stop());
    const redisMs: number[] = [];
    const trivialMs: number[] = [];
    const verifyMs = new Map<string, number[]>(chosen.map((lesson) => [lesson.id, []]));
    // The same checks run by vitest alone, with per-check durations: where verify's time goes.
    const direct = new Map<string, StepCost[]>(chosen.map((lesson) => [lesson.id, []]));
    // Turns, so that a busy moment of the machine hits the baseline and every lesson alike.
    for (let round = 0; round < (ctx.quick ? 1 : 3); round++) {
      trivialMs.push(await trivial());
      if (!env.REDIS_URL) redisMs.push(await timed(startRedis));
      for (const lesson of chosen) {
        verifyMs.get(lesson.id)!.push(await verify(lesson.id));
        direct.get(lesson.id)!.push(await runChecks(ctx, lesson.id));
      }
    }
    const baseline = median(trivialMs);
    const out: Measured[] = [];
    for (const lesson of chosen) {
      const ms = verifyMs.get(lesson.id)!;
      const runs = direct.get(lesson.id)!;
      const alone = { wallMs: median(runs.map((run) => run.wallMs)), checksMs: median(runs.map((run) => run.checksMs)) };
      const failed = Math.max(...runs.map((run) => run.failed));
      out.push({
        key: `verify ${lesson.id}`,
        figure: median(ms) / 1000,
        baseline: baseline / 1000,
        note:
          `median of ${ms.length} (${ms.map(seconds).join(', ')}); vitest alone on the same checks ${seconds(alone.wallMs)}, ` +
          `of which the checks' own durations ${seconds(alone.checksMs)}${failed ? `; ${failed} checks FAILED` : ''}`,
        whyMissed: whereTimeWent(median(ms), baseline, alone, runs[0]!, redisMs.length ? median(redisMs) : undefined),
      });
    }
    return out;
  },
};
