/**
 * The first failure on screen as soon as it is known. A learner stuck on a step reads its first
 * failure; a step's other checks, and the look at the steps it builds on, can take seconds more.
 * So the first check that fails is printed whole the moment it fails, above the live line, while
 * the rest run on. Only on a terminal, where the live line is: a pipe or a log gets the report
 * alone, as before.
 */
import type { CheckResult } from '../checks/check-result.ts';
import { formatCheck } from '../checks/report.ts';
import type { RunProgress } from '../checks/run-progress.ts';
import type { LiveLine } from './live-line.ts';
import { color } from './terminal.ts';

export interface EarlyFailure {
  /** Pass as the run's onProgress: it updates the live line too. */
  onProgress(progress: RunProgress): void;
  /** The failure printed early, if one was. */
  readonly shown: CheckResult | undefined;
}

export function earlyFailure(live: LiveLine | undefined): EarlyFailure {
  let shown: CheckResult | undefined;
  return {
    onProgress(progress) {
      if (live?.enabled && !shown && progress.firstFailure) {
        shown = progress.firstFailure;
        live.above(`${color('bold', `${shown.stepId}: the first check that failed (the others are still running)`)}\n${formatCheck(shown)}\n`);
      }
      live?.update(progress);
    },
    get shown() {
      return shown;
    },
  };
}
