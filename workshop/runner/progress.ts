/**
 * The learner's progress: one git-ignored dotfile in the project, `.workshop-progress.json`,
 * written by verify, watch mode and the menu, read by the overview. Writes go to a temporary file
 * that is then renamed over the old one, so Ctrl-C at any moment leaves either the old or the new
 * file, never half of one.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stepStatus, type RunResult, type StepStatus } from '../checks/check-result.ts';
import { lessons, type StepInfo } from '../manifest.ts';
import { ROOT, targetName } from '../target.ts';

export type Status = StepStatus | 'not-started';

export interface StepRecord {
  status: StepStatus;
  /** Checks that passed, out of `checks`, in the last run. */
  passed: number;
  checks: number;
  /** When the last run ended (ISO time). */
  at: string;
  /** When the step first passed: the solution is offered from then on. */
  firstPassedAt?: string;
}

export interface Progress {
  about: string;
  version: 1;
  steps: Record<string, StepRecord>;
}

const ABOUT = 'Your progress in the workshop, kept by npm start and npm run verify. Do not edit it by hand; delete it to start over.';

/** The progress file; WORKSHOP_PROGRESS points elsewhere (the runner's own tests use that). */
export function progressPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(ROOT, env.WORKSHOP_PROGRESS?.trim() || '.workshop-progress.json');
}

/** Progress is kept for your own code, not when the solutions or another folder are checked. */
export function keepsProgress(env: NodeJS.ProcessEnv = process.env): boolean {
  return targetName(env) === 'lessons' || Boolean(env.WORKSHOP_PROGRESS?.trim());
}

export function readProgress(file = progressPath()): Progress {
  const empty: Progress = { about: ABOUT, version: 1, steps: {} };
  if (!existsSync(file)) return empty;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Progress>;
    if (data.version !== 1 || typeof data.steps !== 'object' || data.steps === null) throw new Error('unknown shape');
    return { about: ABOUT, version: 1, steps: data.steps };
  } catch {
    // A file someone edited into nonsense is kept aside rather than lost, and progress starts afresh.
    renameSync(file, `${file}.broken`);
    console.error(`${file} could not be read; it was moved to ${file}.broken and progress starts afresh.`);
    return empty;
  }
}

export function writeProgress(progress: Progress, file = progressPath()): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(temporary, file);
}

/** Records the verdict of each step that ran; returns the updated progress. */
export function recordRun(result: RunResult, steps: readonly StepInfo[], file = progressPath()): Progress {
  const progress = readProgress(file);
  const at = new Date().toISOString();
  for (const step of steps) {
    const checks = result.checks.filter((check) => check.stepId === step.id);
    const status = stepStatus(result, step.id);
    const before = progress.steps[step.id];
    progress.steps[step.id] = {
      status,
      passed: checks.filter((check) => check.state === 'passed').length,
      checks: checks.length,
      at,
      firstPassedAt: before?.firstPassedAt ?? (status === 'passed' ? at : undefined),
    };
  }
  writeProgress(progress, file);
  return progress;
}

/** Forgets the given steps, or everything when none are given. */
export function forget(stepIds: readonly string[] | undefined, file = progressPath()): void {
  if (!stepIds) {
    rmSync(file, { force: true });
    return;
  }
  const progress = readProgress(file);
  for (const id of stepIds) delete progress.steps[id];
  writeProgress(progress, file);
}

export function statusOf(progress: Progress, stepId: string): Status {
  return progress.steps[stepId]?.status ?? 'not-started';
}

/** The first step, in the workshop's order, that has not passed; undefined when all have. */
export function currentStep(progress: Progress): StepInfo | undefined {
  return lessons.flatMap((lesson) => lesson.steps).find((step) => statusOf(progress, step.id) !== 'passed');
}
