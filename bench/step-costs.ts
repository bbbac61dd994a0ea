/**
 * Where a step's or a lesson's time goes, for the command rows' notes and their whyMissed: a cold
 * vitest run of its checks alone, with the JSON reporter for vitest's own per-check durations, and
 * bench/thread-log.ts preloaded to count the worker threads and node processes the checks start and
 * how long each thread took to come online.
 *
 * A step's class decides its goal, before anything runs: a "threads" step is one the manifest marks
 * `threads` (its code or its checks start worker threads: lesson 01's helper threads, 03a's dryers,
 * 04b's listener); every other step uses only Redis (or nothing).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { select, type StepInfo } from '../workshop/manifest.ts';
import { ROOT } from '../workshop/target.ts';
import { VITEST, launch, learnerEnv } from './child-run.ts';
import { within, type BenchContext } from './item.ts';

export type StepClass = 'threads' | 'redis';

export function stepClass(step: StepInfo): StepClass {
  return step.threads ? 'threads' : 'redis';
}

/** What vitest's JSON reporter says about the checks whose names match: how many, their own summed durations, the slowest. */
export interface ChecksTime {
  checks: number;
  checksMs: number;
  slowest?: { name: string; ms: number };
  failed: number;
}

export interface StepCost extends ChecksTime {
  threads: number;
  /** Milliseconds from `new Worker` to 'online', for each thread started. */
  threadOnlineMs: number[];
  processes: number;
  /** Vitest's summary of the run, such as `1.34s (tests 41%, setup 37%, transform 17%, import 4%)`. */
  vitestDuration?: string;
  /** The run's wall time, spawn to exit: a cold vitest on these checks alone. */
  wallMs: number;
}

/** `-t` for the checks of a step (`02a`) or of a whole lesson (`02`): check names start with their step's id. */
export function namesOf(id: string): string {
  return id.length === 2 ? `^${id}[a-z] ` : `^${id} `;
}

/** Reads a vitest JSON report (`--reporter=json --outputFile.json=FILE`) for the checks of `id`. */
export function readChecks(json: string, id: string): ChecksTime {
  const names = new RegExp(namesOf(id));
  const report = JSON.parse(readFileSync(json, 'utf8')) as { testResults: { assertionResults: { fullName: string; title: string; status: string; duration?: number }[] }[] };
  const tests = report.testResults.flatMap((file) => file.assertionResults).filter((test) => names.test(test.fullName) && test.status !== 'skipped' && test.status !== 'pending');
  const slowest = tests.reduce<(typeof tests)[number] | undefined>((best, test) => ((test.duration ?? 0) > (best?.duration ?? -1) ? test : best), undefined);
  return {
    checks: tests.length,
    checksMs: tests.reduce((sum, test) => sum + (test.duration ?? 0), 0),
    slowest: slowest && { name: slowest.title, ms: slowest.duration ?? 0 },
    failed: tests.filter((test) => test.status === 'failed').length,
  };
}

const costs = new Map<string, Promise<StepCost>>();

/** runChecks() for a step (`02a`) or a lesson (`02`) in this target, at most once per bench. */
export function stepCost(ctx: BenchContext, id: string): Promise<StepCost> {
  const key = `${ctx.targetName}:${id}`;
  if (!costs.has(key)) costs.set(key, runChecks(ctx, id));
  return costs.get(key)!;
}

let runs = 0;

/** A cold `vitest run` of the checks of a step (`02a`) or a lesson (`02`), with the JSON reporter and bench/thread-log.ts. */
export async function runChecks(ctx: BenchContext, id: string): Promise<StepCost> {
  const { lesson } = select(id);
  const stem = join(tmpdir(), `workshop-bench-${process.pid}-${id}-${runs++}`);
  const [json, log] = [`${stem}.json`, `${stem}.log`];
  const env = {
    ...learnerEnv(ctx),
    BENCH_THREAD_LOG: log,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(join(ROOT, 'bench', 'thread-log.ts')).href}`.trim(),
  };
  const args = [VITEST, 'run', '--project', 'lessons', `test/${lesson.slug}.test.ts`, '-t', namesOf(id), '--reporter=default', '--reporter=json', `--outputFile.json=${json}`];
  const start = performance.now();
  const run = launch(args, env);
  try {
    await within(300_000, `vitest on the checks of ${id}`, run.exited);
    const wallMs = performance.now() - start;
    const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((line) => line && !line.includes(` ${run.child.pid} `)) : [];
    return {
      ...readChecks(json, id),
      threads: lines.filter((line) => / start$/.test(line) && line.startsWith('thread')).length,
      threadOnlineMs: lines.filter((line) => line.includes(' online ')).map((line) => Number(line.split(' ')[3])),
      processes: lines.filter((line) => line.startsWith('process')).length,
      vitestDuration: /Duration\s+(.+)/.exec(run.output())?.[1]?.trim(),
      wallMs,
    };
  } finally {
    await run.stop();
    rmSync(json, { force: true });
    rmSync(log, { force: true });
  }
}
