/**
 * Runs lesson checks once, in this process: a check session opened, run and closed.
 */
import type { RunResult } from './check-result.ts';
import type { LessonInfo, StepInfo } from '../manifest.ts';
import { openSession } from './session.ts';

export type { CheckResult, RunResult } from './check-result.ts';

export interface RunOptions {
  lessons: readonly LessonInfo[];
  /** Only these steps; all steps of `lessons` when absent. */
  steps?: readonly StepInfo[];
  /** `lessons`, `solutions`, or a folder in the project. */
  target?: string;
  /** Stop everything after this long even if a check never yields (an endless synchronous loop). */
  deadlineMs?: number;
}

export async function runChecks(options: RunOptions): Promise<RunResult> {
  const session = await openSession({ lessons: options.lessons, target: options.target });
  try {
    return await session.run({ steps: options.steps, deadlineMs: options.deadlineMs });
  } finally {
    await session.close();
  }
}
