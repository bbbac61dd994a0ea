/**
 * verify: the wall time of a cold `npm run verify -- NN` for each lesson, against vitest running
 * one trivial test with no Redis (bench/fixtures/trivial). Each is a child process started with
 * node itself, as the npm scripts do, so that npm's own start-up (about 0.4 s) weighs on none of
 * them. Goals: at most 2x the baseline for every lesson, 1.5x for lesson 02 (the quickest to
 * verify). A missed row's whyMissed splits the time: the baseline, the checks' own durations
 * (vitest's, per check, from bench/step-costs.ts), and what is left.
 */
import { lessons, minRedisFor } from '../../workshop/manifest.ts';
import { provideRedis } from '../../workshop/provision/provision.ts';
import { TRIVIAL, VITEST, learnerEnv, wallTime } from '../child-run.ts';
import type { BenchContext, Item, Measured, RowSpec } from '../item.ts';
import { median, timed } from '../stats.ts';
import { stepCost, type StepCost } from '../step-costs.ts';

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

/** Where a lesson's verify time went, in one line. */
function whereTimeWent(verifyMs: number, trivialMs: number, cost: StepCost, redisMs?: number): string {
  const rest = verifyMs - trivialMs - cost.checksMs;
  const slowest = cost.slowest ? `, the slowest "${cost.slowest.name}" ${seconds(cost.slowest.ms)}` : '';
  const threads = cost.threads > 0 ? `; they start ${cost.threads} worker threads (median ${Math.round(median(cost.threadOnlineMs.length ? cost.threadOnlineMs : [0]))} ms each from new Worker to online)` : '';
  const processes = cost.processes > 0 ? `; and ${cost.processes} node child process(es)` : '';
  return (
    `${seconds(verifyMs)} = ${seconds(trivialMs)} of vitest's own start-up (the baseline) + ${seconds(cost.checksMs)} of the ${cost.checks} checks' own durations ` +
    `(vitest's, deliberate waits included${slowest})${threads}${processes} + ${seconds(rest)} more: ` +
    `starting a Redis (${redisMs === undefined ? 'none here: REDIS_URL is set' : `redis-server starts and stops in ${seconds(redisMs)} here`}), the global setup and setup file, ` +
    'transforming and importing the test file and the lesson code, and the report. ' +
    `A cold vitest run of the same checks alone takes ${seconds(cost.wallMs)} (${cost.vitestDuration ?? 'no summary'}), and verify took ${seconds(verifyMs - cost.wallMs)} more than that.`
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
    const redisMs: number[] = [];
    const startRedis = () => provideRedis({ minVersion: minRedisFor(), env }).then((redis) => redis.stop());
    const trivialMs: number[] = [];
    const verifyMs = new Map<string, number[]>(chosen.map((lesson) => [lesson.id, []]));
    // Turns, so that a busy moment of the machine hits the baseline and every lesson alike.
    for (let round = 0; round < (ctx.quick ? 1 : 3); round++) {
      trivialMs.push(await trivial());
      if (!env.REDIS_URL) redisMs.push(await timed(startRedis));
      for (const lesson of chosen) verifyMs.get(lesson.id)!.push(await verify(lesson.id));
    }
    const baseline = median(trivialMs);
    const out: Measured[] = [];
    for (const lesson of chosen) {
      const ms = verifyMs.get(lesson.id)!;
      const cost = await stepCost(ctx, lesson.id);
      out.push({
        key: `verify ${lesson.id}`,
        figure: median(ms) / 1000,
        baseline: baseline / 1000,
        note: `median of ${ms.length} (${ms.map(seconds).join(', ')}); the checks' own durations ${seconds(cost.checksMs)}${cost.failed ? `; ${cost.failed} checks FAILED` : ''}`,
        whyMissed: whereTimeWent(median(ms), baseline, cost, redisMs.length ? median(redisMs) : undefined),
      });
    }
    return out;
  },
};
