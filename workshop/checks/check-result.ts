/**
 * What happened to each check, in a plain shape: verify prints it for a learner, watch mode
 * re-prints it on every save, `--json` turns it into a results file.
 */
import { relative } from 'node:path';
import type { SerializedError } from 'vitest';
import { ROOT } from '../target.ts';

export interface CheckResult {
  stepId: string;
  /** The check's own name, without the step. */
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  /** The failure's message: the teaching message first, then vitest's expected/received line. */
  message?: string;
  /** The diff of an equality that failed. */
  diff?: string;
  /** Where in the learner's files the error came from, such as `lessons/02-washer-dryer/dryer.ts:14:11`. */
  location?: string;
  durationMs: number;
  /** What the learner's code printed during a check that failed. */
  output?: string;
}

export interface RunResult {
  checks: CheckResult[];
  /** Test files that could not be loaded at all: a syntax error, a missing export, a throw at import. */
  loadErrors: string[];
  /** Errors thrown outside any check (a rejection nobody awaited, a crash in a worker). */
  unhandled: string[];
  /** True when the run was stopped by the deadline, or because a check never gave control back. */
  stalled: boolean;
  /** The check that was running when the run was stopped, if one was. */
  stuck?: StuckCheck;
  /** Which Redis the run used, such as `redis-server 7.0.15 at redis://127.0.0.1:40123`. */
  redis?: string;
  /** The seed of the threads' schedules in this run (workshop/perturb); absent when it was off. */
  seed?: number;
  /** One line per learner file that ran through tsx because Node's type stripping refused it (workshop/typescript). */
  typescriptNotes?: string[];
}

/** A check whose thread never gave control back (a loop that never awaits). */
export interface StuckCheck {
  stepId: string;
  name: string;
  elapsedMs: number;
  timeoutMs: number;
}

export type StepStatus = 'passed' | 'failed' | 'error';

/**
 * One step's verdict: `error` when nothing could judge the code (it did not load, the run stalled),
 * `passed` when every check of the step ran and passed, `failed` otherwise.
 */
export function stepStatus(result: RunResult, stepId: string): StepStatus {
  if (result.loadErrors.length > 0 || result.stalled) return 'error';
  const checks = result.checks.filter((check) => check.stepId === stepId);
  if (checks.length > 0 && checks.every((check) => check.state === 'passed') && result.unhandled.length === 0) return 'passed';
  return 'failed';
}

/** True when the run had checks and every one passed, with nothing thrown outside them. */
export function allPassed(result: RunResult): boolean {
  return (
    result.checks.length > 0 &&
    result.checks.every((check) => check.state === 'passed') &&
    !result.stalled &&
    result.loadErrors.length === 0 &&
    result.unhandled.length === 0
  );
}

/** The first stack frame inside the learner's (or solution's) folder, as a relative path. */
export function locate(error: SerializedError, targetPath: string): string | undefined {
  const frame = error.stacks?.find((candidate) => candidate.file.startsWith(targetPath));
  return frame ? `${relative(ROOT, frame.file)}:${frame.line}:${frame.column}` : undefined;
}

export function describeError(error: SerializedError, targetPath: string, withLocation = true): string {
  const name = error.name && !['AssertionError', 'Error'].includes(error.name) ? `${error.name}: ` : '';
  const where = withLocation ? locate(error, targetPath) : undefined;
  const message = (error.message ?? String(error))
    // eslint-disable-next-line no-control-regex -- colour codes from the compiler's own report
    .replace(/\u001b\[[0-9;]*m/g, '')
    // How the assertion library compared is not the learner's concern.
    .replace(/ \/\/ Object\.is equality$/gm, '');
  return `${name}${message}${where ? `\n    at ${where}` : ''}`;
}
