/**
 * `npm run watch -- 02b` (or `w` in the menu): check a step, then check it again every time a
 * file of its lesson is saved. One vitest and one Redis stay up between runs, so a verdict comes
 * a moment after the save instead of after a whole start-up.
 */
import { join, relative } from 'node:path';
import { allPassed } from '../checks/check-result.ts';
import { watchFolder } from './file-watch.ts';
import { findStep, select, stepAfter, type StepInfo } from '../manifest.ts';
import { LiveLine } from './live-line.ts';
import { earlyFailure } from './first-failure.ts';
import { nextSteps } from './next.ts';
import { currentStep, keepsProgress, readProgress, recordRun } from './progress.ts';
import { reportRun } from '../classroom/outbox.ts';
import { onKeys, releaseKeys } from './keys.ts';
import { formatReport } from '../checks/report.ts';
import { findFoundations } from '../checks/foundations.ts';
import { openSession, type CheckSession } from '../checks/session.ts';
import { ROOT, targetDir, targetName } from '../target.ts';
import { color } from './terminal.ts';

export type WatchEnd = 'quit' | 'next' | 'interrupted';

export async function main(argv: string[]): Promise<number> {
  const name = argv.find((arg) => !arg.startsWith('-'));
  let step: StepInfo | undefined;
  try {
    step = name ? select(name).steps[0] : currentStep(readProgress());
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (name && select(name).steps.length > 1) console.log(color('dim', `Watching the first step of lesson ${name}: ${step?.id}.`));
  try {
    while (step) {
      const end = await watchStep(step);
      if (end === 'quit') return 0;
      if (end === 'interrupted') return 130;
      // n: the step after this one, whether or not this one passes (the learner chose to move on).
      const following = stepAfter(step);
      if (!following) {
        console.log(`${step.id} is the last step: there is no next one to watch.`);
        return 0;
      }
      step = following;
    }
  } finally {
    releaseKeys();
  }
  console.log('Every step passes: there is nothing left to watch.');
  return 0;
}

/** Watches one step until the learner presses q (or Ctrl-C), or n for the next step. */
export async function watchStep(step: StepInfo): Promise<WatchEnd> {
  const { lesson } = findStep(step.id)!;
  const dir = join(targetDir(), lesson.slug);
  const target = targetName();
  const live = new LiveLine();
  live.starting(step.id);
  let session: CheckSession = await openSession({ lessons: [lesson], target }).catch((error: unknown) => {
    live.clear();
    throw error;
  });
  let running = false;
  let queued: string[] | undefined;
  /** When the last save that came in the middle of a run was made: the next verdict's time counts from it. */
  let savedDuring: number | undefined;
  let finish: (end: WatchEnd) => void = () => {};
  const ended = new Promise<WatchEnd>((resolve) => (finish = resolve));

  const check = async (changed: string[], savedAt?: number) => {
    if (running) {
      // A save in the middle of a run: its verdict would be about code that is gone. Start over.
      queued = [...(queued ?? []), ...changed];
      savedDuring = savedAt;
      void session.cancel();
      return;
    }
    running = true;
    live.starting(step.id);
    if (session.closed) {
      session = await openSession({ lessons: [lesson], target }).catch((error: unknown) => {
        live.clear();
        throw error;
      });
    }
    // The first failure on screen as soon as it is known; the report below replaces the screen, whole.
    const result = await session.run({ steps: [step], changed, onProgress: earlyFailure(live).onProgress });
    const foundations = allPassed(result) || queued ? undefined : await findFoundations(session, result, [step], { seed: result.seed, onProgress: live.update });
    if (queued) {
      running = false;
      live.above(color('dim', 'Saved again while checking: checking anew.'));
      return void again();
    }
    live.clear();
    if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
    for (const note of result.typescriptNotes ?? []) console.error(note);
    console.log(formatReport([{ lesson, steps: [step] }], result, target, { foundations }));
    if (keepsProgress()) {
      const progress = recordRun(result, [step]);
      if (allPassed(result)) console.log(`\n${nextSteps([step], progress)}`);
      await reportRun(result, [step], 'watch');
    }
    if (savedAt !== undefined) console.log(color('dim', `Verdict ${Date.now() - savedAt} ms after your save.`));
    console.log(banner(step, dir, watch.mode, watch.reason));
    running = false;
    // A save while the report was written: check again.
    if (queued) void again();
  };
  const again = () => {
    const files = queued ?? [];
    queued = undefined;
    return check(files, savedDuring);
  };

  const watch = await watchFolder(dir, (files) => void check(files, Date.now()));
  const stopKeys = onKeys((key) => {
    if (key === 'ctrl-c') finish('interrupted');
    else if (key === 'q') finish('quit');
    else if (key === 'n') finish('next');
    else if (key === 'return') void check([], Date.now());
    else if (key === 'h') live.above(color('cyan', `Hint for ${step.id}: ${step.hint}`));
  });
  const onSignal = () => finish('interrupted');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await check([]);
  const end = await ended;
  live.clear();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  stopKeys();
  watch.close();
  await session.close();
  return end;
}

function banner(step: StepInfo, dir: string, mode: string, reason?: string): string {
  const how = mode === 'events' ? 'file events' : color('yellow', `polling every 150 ms, because ${reason}`);
  const keys = process.stdin.isTTY ? '  Keys: enter re-check · h hint · n next step · q quit' : '  Ctrl-C stops.';
  return color('dim', `\nWatching ${relative(ROOT, dir)}/ for ${step.id} (${how}). Save a file to check again.\n${keys}`);
}
