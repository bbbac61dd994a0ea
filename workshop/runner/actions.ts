/**
 * Checking one step from the menu: the same report as verify, and progress recorded.
 */
import { allPassed } from '../checks/check-result.ts';
import { findStep, type StepInfo } from '../manifest.ts';
import { LiveLine } from './live-line.ts';
import { nextSteps } from './next.ts';
import { keepsProgress, recordRun } from './progress.ts';
import { reportRun } from '../classroom/outbox.ts';
import { formatReport } from '../checks/report.ts';
import { openSession } from '../checks/session.ts';
import { targetName } from '../target.ts';

/** Runs the step's checks and prints the report; Ctrl-C stops the run and records nothing. */
export async function runStep(step: StepInfo): Promise<boolean> {
  const { lesson } = findStep(step.id)!;
  console.log(`Checking ${step.id} ${step.title}...`);
  const live = new LiveLine();
  live.starting(step.id);
  const session = await openSession({ lessons: [lesson], target: targetName() }).catch((error: unknown) => {
    live.clear();
    throw error;
  });
  let stopped = false;
  const onSignal = () => {
    stopped = true;
    live.clear();
    void session.close();
  };
  process.once('SIGINT', onSignal);
  try {
    const result = await session
      .run({ steps: [step], onProgress: live.update })
      .catch((error: unknown) => {
        if (stopped) return undefined;
        throw error;
      })
      .finally(() => live.clear());
    if (!result || stopped) {
      console.log('Stopped; nothing was recorded.');
      return false;
    }
    console.log(formatReport([{ lesson, steps: [step] }], result, targetName()));
    if (keepsProgress()) {
      const progress = recordRun(result, [step]);
      if (allPassed(result)) console.log(`\n${nextSteps([step], progress)}`);
      await reportRun(result, [step], 'verify');
    }
    return allPassed(result);
  } finally {
    process.off('SIGINT', onSignal);
    await session.close();
  }
}
