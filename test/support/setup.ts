/**
 * Runs in every test file before it loads: tracks worker threads, points connect() at the
 * run's Redis, and after a failed check says which threads and child processes were still
 * running (for a check stopped at its time limit, as the first words of its message); after
 * every check it ends them.
 */
import './threads.ts';
import { afterEach, beforeEach, inject } from 'vitest';
import { stepIdOf } from '../../workshop/manifest.ts';
import { URL_VARIABLE } from '../../workshop/redis.ts';
import { commandOf, descendants, killDescendants } from '../../workshop/checks/children.ts';
import { explainHang, type HangFacts } from '../../workshop/checks/hang.ts';
import { recordHang } from './hangs.ts';
import { endThreads, liveThreads, scheduleCheck } from './threads.ts';

const url = inject('redisUrl');
if (url) process.env[URL_VARIABLE] = url;

// Once a check of a step hangs, the others of that step most likely hang too: skip them rather
// than make the learner wait out every time limit.
const hungSteps = new Set<string>();

// `npm run check` judges a wrong solution by its first failing check (the one the learner reads
// first): once a check has failed, it skips the rest, sparing their waits and time limits.
const firstFailureOnly = process.env.WORKSHOP_FIRST_FAILURE_ONLY === '1';
let failedOnce = false;

beforeEach(({ task, skip }) => {
  scheduleCheck(task.fullName);
  if (firstFailureOnly && failedOnce) skip('npm run check reads only the first failure');
  const step = stepIdOf(task.suite?.name);
  if (step && hungSteps.has(step)) skip(`an earlier check of ${step} was stopped at its time limit`);
});

afterEach(async ({ task }) => {
  const error = task.result?.state === 'fail' ? task.result.errors?.[0] : undefined;
  if (error) {
    failedOnce = true;
    // The checks' own helper processes (test/support/) are not the learner's to explain.
    const children = lessonCheck(task)
      ? descendants()
          .map((pid) => ({ pid, command: commandOf(pid) }))
          .filter(({ command }) => !command.includes('test/support/'))
      : [];
    const timedOut = /^Test timed out in (\d+)ms/.exec(error.message ?? '');
    const step = stepIdOf(task.suite?.name);
    if (timedOut && step) {
      hungSteps.add(step);
      // What is stuck, in the lesson's words; the Redis fixture adds what Redis still holds.
      const facts: HangFacts = {
        stepId: step,
        check: task.name,
        limitMs: Number(timedOut[1]),
        threads: liveThreads().map((thread) => ({ file: thread.file, ageMs: Date.now() - thread.startedAt })),
        children: children.map(({ pid, command }) => `${command} (pid ${pid})`),
      };
      recordHang(task, facts);
      error.name = 'Error';
      error.message = explainHang(facts);
      error.stack = error.message;
    } else {
      // Threads still running when a check failed are the check's own (it stopped waiting for them) and
      // end below; the checks that judge endings say so themselves. A process the learner's code left
      // behind is news, and is named.
      const left = children.map(({ pid, command }) => `Child process ${pid} was still running: ${command}`);
      if (left.length > 0) error.message += `\n\n${left.join('\n')}`;
    }
  }
  await endThreads();
  // Processes the learner's code started and left behind end with the check that started them.
  // (A lesson's checks run one at a time; the harness's own tests run side by side and clean up themselves.)
  if (lessonCheck(task)) killDescendants();
});

function lessonCheck(task: { suite?: { name: string } }): boolean {
  return stepIdOf(task.suite?.name) !== undefined;
}
