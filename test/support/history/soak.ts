/**
 * `npm run soak`: the history check of lesson 06, many times over, with more jobs and more faults
 * than the bounded run in `npm test`. Not part of CI: a few minutes for ten runs.
 *
 *   npm run soak                                  # your queue (lessons/), 10 runs
 *   npm run soak -- --target solutions --runs 50
 *   npm run soak -- --seed 1234 --runs 1          # replay one run (WORKSHOP_SEED=1234 works too)
 *
 * Prints the counts of each run; a run that breaks a rule prints the checker's report and keeps its
 * history in .workshop/history/<seed>.json. Exit code 0 only when every run passed.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { targetDir } from '../../../workshop/target.ts';
import { formatVerdict } from './check.ts';
import { StartError } from './cluster.ts';
import { runScenario, saveHistory, type ScenarioOptions } from './scenario.ts';
import { random, seedFrom } from './schedule.ts';

const USAGE = 'Usage: npm run soak -- [--target lessons|solutions] [--runs 10] [--jobs 200] [--seed N]';

/** The soak's run: four times the bounded run's jobs, and every kind of fault more than once. */
export const SOAK: Omit<ScenarioOptions, 'seed' | 'lessonDir'> = {
  jobs: 200,
  spacingMs: 25,
  workers: 4,
  faults: { kill: 3, stall: 2, restart: 2, cut: 3 },
  leaseMs: 1000,
  jobTimeoutMs: 500,
  maxAttempts: 3,
  reapIntervalMs: 100,
  drainMs: 20_000,
};

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      runs: { type: 'string', default: '10' },
      jobs: { type: 'string', default: String(SOAK.jobs) },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`Expected --runs to be a whole number >= 1, got \`${values.runs}\``);
  if (!Number.isInteger(jobs) || jobs < 10) throw new TypeError(`Expected --jobs to be a whole number >= 10, got \`${values.jobs}\``);
  if (values.target) process.env.WORKSHOP_TARGET = values.target;
  const lessonDir = join(targetDir(), '06-reliable-queue');
  // The first seed from --seed or WORKSHOP_SEED (or fresh); the others follow from it.
  const first = seedFrom(values.seed === undefined ? process.env : { WORKSHOP_SEED: values.seed });
  const next = random(first);
  let failed = 0;
  for (let run = 1; run <= runs; run++) {
    const seed = run === 1 ? first : Math.floor(next() * 2 ** 31);
    let result;
    try {
      result = await runScenario({ ...SOAK, jobs, seed, lessonDir });
    } catch (error) {
      if (!(error instanceof StartError)) throw error;
      console.error(error.message);
      return 1;
    }
    const c = result.verdict.counts;
    const duplicates = Object.entries(c.duplicates).filter(([, count]) => count > 0).map(([reason, count]) => `${count} ${reason}`);
    console.log(
      `run ${run}/${runs} seed ${seed}: ${result.verdict.ok && result.crashed.length === 0 ? 'ok' : 'FAILED'} in ${(result.ms / 1000).toFixed(1)} s; ` +
        `acknowledged ${c.acknowledged}/${c.enqueued} (${c.resent} resent), unknown ${c.unknown.total} (${c.unknown.present} in the queue), done ${c.done}, dead ${c.dead}, lost ${c.lost}; ` +
        `duplicates ${duplicates.join(', ') || 'none'}; faults ${result.history.faults.map((fault) => fault.kind).join(', ')}`,
    );
    if (!result.verdict.ok || result.crashed.length > 0) {
      failed++;
      console.log(`${formatVerdict(result.verdict)}\n${result.crashed.join('\n')}\n(history kept in ${saveHistory(result)}; replay with npm run soak -- --seed ${seed} --runs 1)`);
    }
  }
  console.log(`${runs - failed} of ${runs} runs kept every rule`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 2;
});
