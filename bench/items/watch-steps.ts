/**
 * watch: for every step, `npm run watch -- <step>` as a learner runs it (`node workshop/launch.mjs
 * watch 02a`, on a copy of the target in a scratch folder, so no learner file is touched); a save
 * of the step's file with the bytes it already holds, and the time from that write to the
 * "Verdict ... after your save" line. The floor, in the same run: vitest's own watch mode
 * re-running one trivial test after that file is saved (bench/fixtures/trivial, copied too).
 *
 * Goals: at most 1.5x the floor for a step that uses only Redis, 2.5x for one whose checks start
 * worker threads (bench/step-costs.ts says how a step's class is decided); either way a step over
 * 3x has missed. A missed row's whyMissed says where the time went, from vitest's own per-check
 * durations and the threads the checks started (bench/step-costs.ts).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lessons, type LessonInfo, type StepInfo } from '../../workshop/manifest.ts';
import { TRIVIAL, VITEST, launch, learnerEnv, saveUnchanged, scratchFolder, type Running } from '../child-run.ts';
import type { BenchContext, Item, Measured, RowSpec } from '../item.ts';
import { median, pause } from '../stats.ts';
import { namesOf, readChecks, stepClass, stepCost, type ChecksTime, type StepCost } from '../step-costs.ts';

const QUICK_STEP = '02a';
const GOAL = { threads: 2.5, redis: 1.5 } as const;
const CAP = 3;
const LIMIT_MS = 120_000;

const steps = lessons.flatMap((lesson) => lesson.steps.map((step) => ({ lesson, step, kind: stepClass(step) })));

const rows: RowSpec[] = steps.map(({ step, kind }) => ({
  key: `watch ${step.id}`,
  what: `save ${step.files[0]} -> verdict (${kind === 'threads' ? 'threads' : 'Redis only'})`,
  unit: 'ms',
  baselineWhat: 'vitest --watch, trivial test re-run',
  baselineUnit: 'ms',
  goal: { kind: 'max-ratio', value: GOAL[kind] },
  whyMissed: `the watch re-run costs more than ${GOAL[kind]}x vitest's own re-run of a trivial test.`,
}));

/** Saves `file` `times` times; the milliseconds from each write until `done` shows in the output after it. */
async function saves(run: Running, file: string, done: RegExp, times: number): Promise<{ ms: number[]; outputs: string[] }> {
  const ms: number[] = [];
  const outputs: string[] = [];
  for (let round = 0; round < times; round++) {
    await pause(200); // let the last report finish printing, as a person would
    const from = run.output().length;
    const start = performance.now();
    saveUnchanged(file);
    const match = await run.waitFor(done, from, LIMIT_MS);
    ms.push(performance.now() - start);
    outputs.push(match[0]);
  }
  return { ms, outputs };
}

/** vitest --watch on the trivial test: the re-run times of `times` saves. */
export async function floor(ctx: BenchContext, times: number): Promise<number[]> {
  const scratch = scratchFolder('floor', { [TRIVIAL]: 'trivial' });
  const root = join(scratch.dir, 'trivial');
  const run = launch([VITEST, '--watch', '--root', root], learnerEnv(ctx));
  try {
    await run.waitFor(/Waiting for file changes/, 0, LIMIT_MS);
    return (await saves(run, join(root, 'trivial.test.ts'), /Tests\s+1 passed[\s\S]*?Waiting for file changes/, times)).ms;
  } finally {
    await run.stop();
    scratch.remove();
  }
}

/** vitest's own watch on the same checks (same config, same scratch target): re-run times, and the checks' own durations in those re-runs. */
async function vitestWatch(ctx: BenchContext, target: string, dir: string, lesson: LessonInfo, step: StepInfo, times: number): Promise<OwnWatch> {
  const json = join(tmpdir(), `workshop-bench-${process.pid}-watch-${step.id}.json`);
  const args = [VITEST, '--watch', '--project', 'lessons', `test/${lesson.slug}.test.ts`, '-t', namesOf(step.id), '--reporter=default', '--reporter=json', `--outputFile.json=${json}`];
  const run = launch(args, learnerEnv(ctx, target));
  try {
    await run.waitFor(/Waiting for file changes/, 0, LIMIT_MS + step.timeoutMs);
    const file = join(dir, lesson.slug, step.files[0]!);
    const ms: number[] = [];
    const checks: ChecksTime[] = [];
    for (let round = 0; round < times; round++) {
      // The JSON report is written before "Waiting for file changes" is printed.
      ms.push(...(await saves(run, file, /RERUN[\s\S]*?Waiting for file changes/, 1)).ms);
      checks.push(readChecks(json, step.id));
    }
    const middle = [...checks].sort((a, b) => a.checksMs - b.checksMs)[Math.floor(checks.length / 2)]!;
    return { ms: median(ms), checks: middle };
  } finally {
    await run.stop();
    rmSync(json, { force: true });
  }
}

/** The workshop's watch on `step` in the scratch target: save-to-verdict times, and the tallies it printed. */
async function watchStep(ctx: BenchContext, target: string, dir: string, lesson: LessonInfo, step: StepInfo, times: number) {
  const run = launch(['workshop/launch.mjs', 'watch', step.id], learnerEnv(ctx, target));
  try {
    await run.waitFor(new RegExp(`Watching [^\\n]* for ${step.id} `), 0, LIMIT_MS + step.timeoutMs);
    const file = join(dir, lesson.slug, step.files[0]!);
    const { ms, outputs } = await saves(run, file, /(\d+) passed, (\d+) failed[\s\S]*?Verdict (\d+) ms after your save\.[\s\S]*?Watching/, times);
    const failed = outputs.map((text) => Number(/(\d+) failed/.exec(text)?.[1] ?? 0)).some((n) => n > 0);
    const ownMs = outputs.map((text) => Number(/Verdict (\d+) ms/.exec(text)?.[1]));
    return { ms, failed, ownMs };
  } finally {
    await run.stop();
  }
}


interface OwnWatch {
  /** Median save-to-result time of vitest's own watch on the same checks. */
  ms: number;
  /** The checks' own durations in its median re-run. */
  checks: ChecksTime;
}

/** Where a row's time went, in one line. */
export function whereTimeWent(figure: number, floorMs: number, cost: StepCost, own?: OwnWatch): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const checks = own?.checks ?? cost;
  const slowest = checks.slowest ? `; slowest "${checks.slowest.name}" ${ms(checks.slowest.ms)}` : '';
  const parts = [`${ms(figure)} from save to verdict against ${ms(floorMs)} for vitest's watch re-running a trivial test`];
  if (own) {
    parts.push(
      `vitest's own watch re-runs the same checks in ${ms(own.ms)}, of which the ${checks.checks} checks themselves take ${ms(checks.checksMs)} ` +
        `(vitest's per-check durations, deliberate waits included${slowest}) and ${ms(own.ms - checks.checksMs)} is vitest re-running the test file around them ` +
        '(a new test process, the setup file, re-importing the test file and the lesson code)',
    );
    const added = figure - own.ms;
    parts.push(
      added >= 0
        ? `the workshop's watch adds ${ms(added)} to that (file-event settling, collecting, the report)`
        : `the workshop's watch was ${ms(-added)} quicker than vitest's own here (separate runs on a busy machine)`,
    );
  } else {
    parts.push(`the ${checks.checks} checks themselves take ${ms(checks.checksMs)} (vitest's per-check durations in a cold run, deliberate waits included${slowest})`);
  }
  if (cost.threads > 0) parts.push(`the checks start ${cost.threads} worker threads, ${ms(median(cost.threadOnlineMs.length ? cost.threadOnlineMs : [0]))} each (median) from new Worker to online in a cold run`);
  if (cost.processes > 0) parts.push(`the checks start ${cost.processes} node child process(es)`);
  if (figure / floorMs > CAP) parts.push(`over the ${CAP}x cap for any step`);
  return `${parts.join('; ')}.`;
}

export const watchSteps: Item = {
  id: 'watch',
  title: 'watch mode, save -> verdict, every step',
  rows,
  quickKeys: [`watch ${QUICK_STEP}`],
  async run(ctx: BenchContext): Promise<Measured[]> {
    const chosen = ctx.quick ? steps.filter(({ step }) => step.id === QUICK_STEP) : steps;
    const times = ctx.quick ? 1 : 3;
    const copies = Object.fromEntries(lessons.map((lesson) => [join(ctx.targetDir, lesson.slug), lesson.slug]));
    const scratch = scratchFolder('watch', copies);
    try {
      // The floor before and after the steps, so that a busy spell of the machine weighs on both.
      const floorMs = await floor(ctx, times);
      const measured: { lesson: LessonInfo; step: StepInfo; kind: string; ms: number[]; failed: boolean; ownMs: number[]; own?: OwnWatch }[] = [];
      for (const { lesson, step, kind } of chosen) {
        ctx.log(`  watch ${step.id}...`);
        const watched = await watchStep(ctx, scratch.target, scratch.dir, lesson, step, times);
        // A diagnostic, not a row: what vitest alone takes to re-run the same checks (skipped in a quick run).
        const own = ctx.quick
          ? undefined
          : await vitestWatch(ctx, scratch.target, scratch.dir, lesson, step, times).catch((error: unknown) => void ctx.log(`  vitest --watch on ${step.id}: ${String(error)}`));
        measured.push({ lesson, step, kind, ...watched, own });
      }
      if (!ctx.quick) floorMs.push(...(await floor(ctx, times)));
      const baseline = median(floorMs);
      const out: Measured[] = [];
      for (const { step, kind, ms, failed, ownMs, own } of measured) {
        const figure = median(ms);
        const cost = await stepCost(ctx, step.id);
        const threadsNote = kind === 'threads' ? `threads step (${cost.threads} threads started)` : `Redis-only step${cost.threads > 0 ? `, yet its checks started ${cost.threads} threads` : ''}`;
        const note = [
          `median of ${ms.length} saves (${ms.map((value) => Math.round(value)).join(', ')} ms; the runner's own "Verdict" said ${ownMs.join(', ')} ms); floor median of ${floorMs.length}`,
          threadsNote,
          ...(own ? [`vitest --watch on the same checks ${Math.round(own.ms)} ms, the checks' own durations ${Math.round(own.checks.checksMs)} ms`] : []),
          ...(failed ? ['SOME CHECKS FAILED in watch mode'] : []),
        ].join('; ');
        out.push({ key: `watch ${step.id}`, figure, baseline, note, whyMissed: whereTimeWent(figure, baseline, cost, own) });
      }
      return out;
    } finally {
      scratch.remove();
    }
  },
};
