/**
 * Lesson 06 under faults: the history check (test/support/history/). The whole queue runs as it
 * would in production: startApp() in a front process, QueueWorkers in worker processes, all on a
 * Redis of the check's own behind a proxy. Numbered jobs are posted over HTTP while a seeded schedule
 * kills a worker (SIGKILL), stalls one past its lease (SIGSTOP, then SIGCONT), restarts Redis (its
 * append-only file fsynced at every write) and cuts every connection. Every enqueue, every run and
 * the final state go into a history; the checker then names any job lost, run twice for no reason,
 * run without being posted, or enqueued twice.
 *
 * Not a step: verify and `npm run check` read test/06-reliable-queue.test.ts only. `npm test` runs it
 * against the solutions; a learner runs it against their own queue once lesson 06 passes (the README
 * says how). A starter fails it at once, with the step that is missing. `npm run soak` runs it
 * longer and many times.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { targetDir } from '../workshop/target.ts';
import { formatVerdict } from './support/history/check.ts';
import { StartError } from './support/history/cluster.ts';
import { runScenario, saveHistory, type ScenarioOptions } from './support/history/scenario.ts';
import { seedFrom } from './support/history/schedule.ts';

/** About 10 s on an idle machine: 60 jobs over 3 s, one fault of each kind, 4 workers. */
const BOUNDED: Omit<ScenarioOptions, 'seed' | 'lessonDir'> = {
  jobs: 60,
  spacingMs: 50,
  workers: 3,
  faults: { kill: 1, stall: 1, restart: 1, cut: 1 },
  leaseMs: 1000,
  jobTimeoutMs: 500,
  maxAttempts: 3,
  reapIntervalMs: 100,
  drainMs: 15_000,
};

describe('06 history: the whole queue under faults', () => {
  test('every job acknowledged with 202 ends done or dead, and every job run twice has a cause', { timeout: 60_000 }, async () => {
    const seed = seedFrom();
    let result;
    try {
      result = await runScenario({ ...BOUNDED, seed, lessonDir: join(targetDir(), '06-reliable-queue') });
    } catch (error) {
      if (!(error instanceof StartError)) throw error;
      // What the learner has to do, not where in the harness it was found.
      const taught = new Error(`${error.message}\nThe history check runs your whole queue: make every step of lesson 06 pass first (npm run verify -- 06).`);
      taught.stack = taught.message;
      throw taught;
    }
    const report = formatVerdict(result.verdict);
    console.log(`seed ${seed}, ${(result.ms / 1000).toFixed(1)} s: ${report.split('\n').slice(0, 2).join(' ')}`);
    const replay = `seed ${seed}: run it again with WORKSHOP_SEED=${seed} npx vitest run test/06-history.test.ts`;
    const crashed = result.crashed.join('\n');
    expect(result.verdict.ok, result.verdict.ok ? '' : `${report}\n\n${crashed ? `${crashed}\n\n` : ''}The whole history is in ${saveHistory(result)}. ${replay}`).toBe(true);
    expect(crashed, `the checker found nothing wrong, but ${crashed}\n${replay}`).toBe('');
  });
});
