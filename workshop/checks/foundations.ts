/**
 * One mistake, one story across steps. A step that runs an earlier step's code (01c puts dishes in
 * 01b's queue, 06d starts 06a's workers) fails whenever that code is wrong, and its own messages
 * then blame the wrong thing ("put one poison pill per eater" for a queue that never accepts an
 * item). When such a step fails, its foundations' checks are run too, if this run did not already
 * run them, and a failing foundation is named first: fix that one, then come back.
 */
import type { CheckResult, RunResult } from './check-result.ts';
import type { CheckSession, RunOptions } from './session.ts';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { findStep, type StepInfo } from '../manifest.ts';
import { keepsProgress, readProgress, type Progress } from '../runner/progress.ts';
import { targetDir } from '../target.ts';

export interface Foundation {
  /** The earlier step that fails, such as `01b`. */
  step: StepInfo;
  /** Its first failed check. */
  failure: CheckResult;
}

/** The steps `step` builds on, in the manifest's order. */
export function foundationsOf(step: StepInfo): StepInfo[] {
  return (step.buildsOn ?? []).map((id) => findStep(id)?.step).filter((found): found is StepInfo => found !== undefined);
}

const failed = (result: RunResult, id: string) => result.checks.find((check) => check.stepId === id && check.state === 'failed');

/**
 * For each failed step of `steps`, its failing foundations. Foundations this run did not check are
 * run once in `session` (only when a step built on them failed, so a passing run costs nothing).
 */
export async function findFoundations(
  session: CheckSession,
  result: RunResult,
  steps: readonly StepInfo[],
  options: Pick<RunOptions, 'seed' | 'onProgress'> = {},
): Promise<Map<string, Foundation[]>> {
  const failedSteps = steps.filter((step) => failed(result, step.id));
  const ran = new Set(steps.map((step) => step.id));
  const unrun = [...new Set(failedSteps.flatMap(foundationsOf).filter((step) => !ran.has(step.id)))];
  const progress = unrun.length > 0 && keepsProgress() ? readProgress() : undefined;
  const missing = unrun.filter((step) => !passedUnchanged(step, progress));
  let extra: RunResult | undefined;
  if (missing.length > 0 && !session.closed && !result.stalled) {
    extra = await session.run({ steps: missing, ...options }).catch(() => undefined);
  }
  const notes = new Map<string, Foundation[]>();
  for (const step of failedSteps) {
    const found = foundationsOf(step).flatMap((earlier) => {
      const failure = failed(result, earlier.id) ?? (extra && failed(extra, earlier.id));
      return failure ? [{ step: earlier, failure }] : [];
    });
    if (found.length > 0) notes.set(step.id, found);
  }
  return notes;
}

/**
 * The step passed when last checked and none of its files changed since: no need to run it again.
 * Only for the learner's own code, where progress is kept (`progress` is undefined otherwise).
 */
function passedUnchanged(step: StepInfo, progress: Progress | undefined): boolean {
  const record = progress?.steps[step.id];
  if (record?.status !== 'passed') return false;
  const lesson = findStep(step.id)?.lesson;
  if (!lesson) return false;
  const at = Date.parse(record.at);
  try {
    return step.files.every((file) => statSync(join(targetDir(), lesson.slug, file)).mtimeMs < at);
  } catch {
    return false;
  }
}

/** The line a report prints under a failed step whose foundation fails: what to fix first, and why. */
export function foundationNote(step: StepInfo, foundations: readonly Foundation[]): string {
  const [first] = foundations;
  if (!first) return '';
  const files = first.step.files.join(', ');
  const why = (first.failure.message ?? '').split('\n')[0]!.replace(/: expected .*$/, '');
  const cut = why.length > 160 ? `${why.slice(0, 159)}…` : why;
  return (
    `${step.id} runs your ${first.step.id} code (${files}), and ${first.step.id} fails its own checks: fix ${first.step.id} first ` +
    `(npm run verify -- ${first.step.id}), the failures below likely follow from it.\n` +
    `${first.step.id} › ${first.failure.name}${cut ? `: ${cut}` : ''}`
  );
}
