/**
 * Runs lesson checks with vitest, in this process, and returns what happened to each check in a
 * plain shape: verify prints it for a learner, the authoring check compares it with expectations.
 */
import { relative } from 'node:path';
import type { SerializedError } from '@vitest/utils';
import { startVitest, type Reporter, type TestModule } from 'vitest/node';
import { findStep, minRedisFor, stepIdOf, type LessonInfo, type StepInfo } from './manifest.ts';
import { ROOT, targetDir } from './target.ts';

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
}

export interface RunResult {
  checks: CheckResult[];
  /** Test files that could not be loaded at all: a syntax error, a missing export, a throw at import. */
  loadErrors: string[];
  /** Errors thrown outside any check (a rejection nobody awaited, a crash in a worker). */
  unhandled: string[];
  /** True when the run was stopped by the deadline. */
  stalled: boolean;
  /** Which Redis the run used, such as `redis-server 7.0.15 at redis://127.0.0.1:40123`. */
  redis?: string;
}

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
  const target = options.target ?? process.env.WORKSHOP_TARGET ?? 'lessons';
  process.env.WORKSHOP_TARGET = target;
  const targetPath = targetDir();
  const needsRedis = options.lessons.some((lesson) => lesson.minRedis);
  process.env.WORKSHOP_NEEDS_REDIS = needsRedis ? '1' : '0';
  const minimum = minRedisFor(options.lessons);
  if (minimum) process.env.WORKSHOP_MIN_REDIS = minimum;
  delete process.env.WORKSHOP_REDIS_DESCRIPTION;

  let modules: readonly TestModule[] = [];
  let unhandledErrors: readonly SerializedError[] = [];
  const collector: Reporter = {
    onTestRunEnd(testModules, errors) {
      modules = testModules;
      unhandledErrors = errors;
    },
  };

  const steps = options.steps ?? options.lessons.flatMap((lesson) => lesson.steps);
  const files = options.lessons.map((lesson) => `test/${lesson.slug}.test.ts`);
  const pattern = options.steps ? `^(${options.steps.map((step) => step.id).join('|')}) ` : undefined;
  const deadlineMs = options.deadlineMs ?? steps.reduce((sum, step) => sum + step.timeoutMs, 0) + 30_000;

  let stalled = false;
  const vitest = await startVitest(
    'test',
    files,
    {
      root: ROOT,
      project: 'lessons',
      watch: false,
      reporters: [collector],
      testNamePattern: pattern,
      passWithNoTests: true,
      silent: 'passed-only',
    },
    {},
    { stdout: process.stdout, stderr: process.stderr },
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'stalled'>((resolve) => {
    timer = setTimeout(() => resolve('stalled'), deadlineMs);
  });
  const outcome = await Promise.race([vitest.waitForTestRunEnd().then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'stalled') stalled = true;
  await Promise.race([vitest.close(), new Promise((resolve) => setTimeout(resolve, 3000))]);

  const checks: CheckResult[] = [];
  const loadErrors: string[] = [];
  for (const module of modules) {
    for (const error of module.errors()) loadErrors.push(describeError(error, targetPath));
    for (const test of module.children.allTests()) {
      const stepId = stepIdOf(test.fullName) ?? '';
      const result = test.result();
      const error = result.state === 'failed' ? result.errors[0] : undefined;
      checks.push({
        stepId,
        name: test.name,
        state: result.state === 'pending' ? 'skipped' : result.state,
        message: error ? describeError(error, targetPath, false) : result.state === 'skipped' ? result.note : undefined,
        diff: error?.diff,
        location: error ? locate(error, targetPath) : undefined,
        durationMs: test.diagnostic()?.duration ?? 0,
      });
    }
  }
  return {
    checks: checks.filter((check) => findStep(check.stepId) && steps.some((step) => step.id === check.stepId)),
    loadErrors,
    unhandled: unhandledErrors.map((error) => describeError(error, targetPath)),
    stalled,
    redis: process.env.WORKSHOP_REDIS_DESCRIPTION,
  };
}

/** The first stack frame inside the learner's (or solution's) folder, as a relative path. */
function locate(error: SerializedError, targetPath: string): string | undefined {
  const frame = error.stacks?.find((candidate) => candidate.file.startsWith(targetPath));
  return frame ? `${relative(ROOT, frame.file)}:${frame.line}:${frame.column}` : undefined;
}

function describeError(error: SerializedError, targetPath: string, withLocation = true): string {
  const name = error.name && !['AssertionError', 'Error'].includes(error.name) ? `${error.name}: ` : '';
  const where = withLocation ? locate(error, targetPath) : undefined;
  // eslint-disable-next-line no-control-regex -- colour codes from the compiler's own report
  const message = (error.message ?? String(error)).replace(/\u001b\[[0-9;]*m/g, '');
  return `${name}${message}${where ? `\n    at ${where}` : ''}`;
}
