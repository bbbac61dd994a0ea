/**
 * `npm run verify -- 02 --json results.json`: the results in the shape of Exercism's test runners
 * (version 3), so that classroom tools and scripts can read them: an overall status, and per check
 * a name, a status, a message and the output the learner's code printed.
 * https://exercism.org/docs/building/tooling/test-runners/interface
 */
import type { CheckResult, RunResult } from './check-result.ts';
import type { StepInfo } from '../manifest.ts';

type Status = 'pass' | 'fail' | 'error';

export interface ExercismTest {
  name: string;
  status: Status;
  message: string | null;
  output: string | null;
  /** The step's letter as a number: a is 1, b is 2. */
  task_id: number;
}

export interface ExercismResults {
  version: 3;
  status: Status;
  /** Only when status is `error`: why nothing could be judged. */
  message?: string;
  tests: ExercismTest[];
}

/** Exercism caps a test's output at 500 characters; so do we. */
const OUTPUT_LIMIT = 500;

export function toExercism(result: RunResult, steps: readonly StepInfo[]): ExercismResults {
  const wanted = new Set(steps.map((step) => step.id));
  const tests = result.checks.filter((check) => wanted.has(check.stepId)).map(toTest);
  const problems = [
    ...result.loadErrors.map((error) => `Your code could not be loaded: ${error}`),
    ...(result.stalled ? ['The run was stopped: a check never gave control back (a loop that never awaits).'] : []),
  ];
  if (problems.length > 0) return { version: 3, status: 'error', message: problems.join('\n\n'), tests };
  if (tests.length === 0) return { version: 3, status: 'error', message: 'No check ran.', tests };
  const passed = tests.every((test) => test.status === 'pass') && result.unhandled.length === 0;
  return { version: 3, status: passed ? 'pass' : 'fail', tests };
}

function toTest(check: CheckResult): ExercismTest {
  const output = check.output;
  const status: Status = check.state === 'passed' ? 'pass' : check.state === 'failed' ? 'fail' : 'error';
  const message = check.state === 'passed' ? null : [check.message ?? 'skipped', check.location && `at ${check.location}`].filter(Boolean).join('\n');
  return {
    name: `${check.stepId} ${check.name}`,
    status,
    message,
    output: output ? (output.length > OUTPUT_LIMIT ? `${output.slice(0, OUTPUT_LIMIT - 40)}\n... (output cut at ${OUTPUT_LIMIT} characters)` : output) : null,
    task_id: check.stepId.charCodeAt(2) - 'a'.charCodeAt(0) + 1,
  };
}
