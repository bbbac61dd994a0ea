/**
 * What each step is worth, for every kind of grading: a step scores all its points when every one
 * of its checks passes, none otherwise, so the points match what `npm run verify` says.
 */
import { lessons, type Difficulty, type StepInfo } from '../manifest.ts';

/** A step's points: what a step asks grows by about one unit from easy to hard. */
export const POINTS: Readonly<Record<Difficulty, number>> = { easy: 1, medium: 2, hard: 3 };

/** All the steps, in the manifest's order. */
export function allSteps(): StepInfo[] {
  return lessons.flatMap((lesson) => lesson.steps);
}

export function stepPoints(step: StepInfo): number {
  return POINTS[step.difficulty];
}

export function totalPoints(steps: readonly StepInfo[] = allSteps()): number {
  return steps.reduce((sum, step) => sum + stepPoints(step), 0);
}

/**
 * A backstop in minutes for one step's run, on top of verify's own limit per check: a minute to
 * start vitest and Redis, then room for 20 checks (a step has 13 at most today) that each run to
 * the step's limit.
 */
export function stepTimeoutMinutes(step: StepInfo): number {
  return 1 + Math.ceil((20 * step.timeoutMs) / 60_000);
}

/** Where each kind keeps verify's results, one `<step>.json` per step (git-ignored, like all of .workshop/). */
export const RESULTS_DIR = '.workshop/grading';
