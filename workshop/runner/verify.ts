/**
 * `npm run verify -- 02` checks a whole lesson, `npm run verify -- 02b` one step. It runs the
 * checks against your code in lessons/ (or the solutions when WORKSHOP_TARGET=solutions), prints a
 * plain report led by what each failed check has to teach, and records your progress.
 *
 *   --repeat N     run the checks N times: a concurrency bug may hide from a single run
 *   --seed N       replay the threads' schedule of an earlier run (the report of a failure names it);
 *                  with --repeat, runs use N, N+1, ...
 *   --full         every failed check's message whole (by default, a step's later failures get a line each)
 *   --json FILE    also write the results in Exercism's shape (version 3) to FILE (- for stdout)
 *
 * Exit code 0 only when every check passed (in every run).
 */
import { writeFileSync } from 'node:fs';
import { allPassed, type RunResult } from '../checks/check-result.ts';
import { select, type Selection, type StepInfo } from '../manifest.ts';
import { nextSteps } from './next.ts';
import { LiveLine } from './live-line.ts';
import { earlyFailure } from './first-failure.ts';
import { keepsProgress, recordRun } from './progress.ts';
import { reportRun } from '../classroom/outbox.ts';
import { formatRepeats } from './repeat.ts';
import { formatReport } from '../checks/report.ts';
import { findFoundations, type Foundation } from '../checks/foundations.ts';
import { toExercism } from '../checks/results-json.ts';
import type { CheckSession } from '../checks/session.ts';
import { targetName } from '../target.ts';
import { newSeed, SEED_VARIABLE, seedFromEnv } from '../perturb/schedule.ts';

export { formatReport } from '../checks/report.ts';

/** The checks' Redis fixture throws a RedisUnavailableError when the run has no usable server. */
const NO_REDIS = 'RedisUnavailableError: ';

const USAGE = `Usage: npm run verify -- <lesson or step> [--repeat N] [--seed N] [--full] [--json FILE]
  npm run verify -- 02          the whole lesson 02
  npm run verify -- 02b         one step
  npm run verify -- 03a --repeat 10   ten runs: is it a race?
  npm run verify -- 01b --seed 4711   the threads' schedule of a failed run, again`;

export interface VerifyArgs {
  names: string[];
  repeat: number;
  seed?: number;
  full?: boolean;
  json?: string;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): VerifyArgs {
  const args: VerifyArgs = { names: [], repeat: 1, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') args.help = true;
    else if (flag === '--full') args.full = true;
    else if (flag === '--repeat') {
      const text = value();
      const count = Number(text);
      if (!Number.isInteger(count) || count < 1 || count > 1000) throw new TypeError(`Expected --repeat to be a whole number from 1 to 1000, got \`${text ?? ''}\``);
      args.repeat = count;
    } else if (flag === '--seed') {
      const text = value();
      const seed = Number(text);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError(`Expected --seed to be a whole number, such as --seed 4711 (a failed run names its seed), got \`${text ?? ''}\``);
      args.seed = seed;
    } else if (flag === '--json') {
      args.json = value();
      if (!args.json) throw new TypeError('Expected a file after --json, such as --json results.json (or - for the screen)');
    } else if (flag.startsWith('-')) throw new TypeError(`Unknown option \`${flag}\`.\n${USAGE}`);
    else args.names.push(arg);
  }
  return args;
}

export async function main(argv: string[]): Promise<number> {
  let args: VerifyArgs;
  let selections: Selection[];
  try {
    args = parseArgs(argv);
    if (args.help || args.names.length === 0) {
      console.log(USAGE);
      return args.help ? 0 : 2;
    }
    selections = args.names.map(select);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const steps = selections.flatMap((selection) => selection.steps);
  const target = targetName();
  const toScreen = args.json !== '-';
  // On a terminal, one line says what is being checked from the first moment on (not with --json -).
  const live = toScreen ? new LiveLine() : undefined;
  live?.starting(steps[0]?.id ?? '');
  // vitest loads only now, so the live line is on screen while it does.
  const { openSession } = await import('../checks/session.ts');
  const session = await openSession({ lessons: selections.map((selection) => selection.lesson), target }).catch((error: unknown) => {
    live?.clear();
    throw error;
  });
  const stop = interrupted(session, live);
  const runs: RunResult[] = [];
  let foundations: Map<string, Foundation[]> | undefined;
  // Each run of --repeat gets a schedule of its own; --seed N replays N first.
  const firstSeed = args.seed ?? (process.env[SEED_VARIABLE] === 'off' ? undefined : (seedFromEnv() ?? newSeed()));
  // The first failure on screen as soon as it is known (a terminal only; one run, not --repeat).
  const early = args.repeat === 1 ? earlyFailure(live) : undefined;
  try {
    for (let run = 1; run <= args.repeat && !session.closed; run++) {
      const seed = firstSeed === undefined ? undefined : firstSeed + run - 1;
      const result = await session.run({ steps, onProgress: early?.onProgress ?? live?.update, seed });
      live?.clear();
      runs.push(result);
      if (args.repeat > 1 && toScreen) console.log(`run ${run} of ${args.repeat}: ${allPassed(result) ? 'passed' : 'failed'}`);
    }
    const failedRun = runs.find((run) => !allPassed(run));
    if (failedRun && toScreen) {
      foundations = await findFoundations(session, failedRun, steps, { seed: failedRun.seed, onProgress: live?.update });
      live?.clear();
    }
  } finally {
    live?.clear();
    await session.close();
    stop();
  }
  // The run to show: the first that failed, so its messages explain the failures counted above.
  const shown = runs.find((run) => !allPassed(run)) ?? runs[runs.length - 1];
  if (!shown) return 130;
  // Without Redis every check fails the same way: say it once, not once per check.
  const noRedis = shown.checks.find((check) => check.message?.startsWith(NO_REDIS));
  if (noRedis?.message && shown.checks.every((check) => check.state !== 'passed')) {
    console.error(noRedis.message.slice(NO_REDIS.length).split('\n\n')[0]);
    return 1;
  }
  const ok = runs.every(allPassed);
  if (args.json) writeJson(args.json, shown, steps);
  if (toScreen) {
    for (const note of new Set(runs.flatMap((run) => run.typescriptNotes ?? []))) console.error(note);
    console.log(formatReport(selections, shown, target, { full: args.full, foundations, shownAbove: early?.shown }));
    if (args.repeat > 1) console.log(`\n${formatRepeats(runs, steps)}`);
  }
  if (keepsProgress()) {
    const progress = recordRun(shown, steps);
    if (ok && toScreen) console.log(`\n${nextSteps(steps, progress)}`);
    await reportRun(shown, steps, 'verify');
  }
  return ok ? 0 : 1;
}

function writeJson(file: string, result: RunResult, steps: readonly StepInfo[]): void {
  const text = `${JSON.stringify(toExercism(result, steps), null, 2)}\n`;
  if (file === '-') process.stdout.write(text);
  else writeFileSync(file, text);
}

/** Ctrl-C: stop the test processes and the Redis this run started, record nothing, exit. */
function interrupted(session: CheckSession, live?: LiveLine): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    live?.clear();
    console.error(`\nStopped (${signal}); nothing was recorded.`);
    void session.close().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
