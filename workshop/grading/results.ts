/**
 * Reads what `npm run verify -- <step> --json <dir>/<step>.json` wrote (Exercism's test-runner
 * format, version 3: workshop/checks/results-json.ts) into one outcome per step, for the job
 * summary and Gradescope's results. A step without a file did not get as far as judging (no
 * Redis, a crash): it scores nothing, and says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepInfo } from '../manifest.ts';
import type { ExercismResults } from '../checks/results-json.ts';
import { stepPoints } from './points.ts';

export interface Failure {
  /** The check's name without the step id, as the report shows it. */
  name: string;
  message: string;
}

export interface StepOutcome {
  step: StepInfo;
  maxScore: number;
  score: number;
  passed: boolean;
  checks: number;
  failures: Failure[];
  /** The first line of what went wrong first: the line a learner reads first. Empty when passed. */
  firstFailure: string;
}

export function resultsFile(dir: string, step: StepInfo): string {
  return join(dir, `${step.id}.json`);
}

export function readOutcome(dir: string, step: StepInfo): StepOutcome {
  const file = resultsFile(dir, step);
  const maxScore = stepPoints(step);
  const missing = (why: string): StepOutcome => ({ step, maxScore, score: 0, passed: false, checks: 0, failures: [], firstFailure: why });
  if (!existsSync(file)) return missing('no results: verify stopped before judging (see the log of this step)');
  let results: ExercismResults;
  try {
    results = JSON.parse(readFileSync(file, 'utf8')) as ExercismResults;
  } catch (error) {
    return missing(`the results could not be read: ${(error as Error).message}`);
  }
  const failures = results.tests
    .filter((test) => test.status !== 'pass')
    .map((test) => ({ name: test.name.replace(/^\d\d[a-z] /, ''), message: test.message ?? test.status }));
  const passed = results.status === 'pass';
  const first = results.status === 'error' ? (results.message ?? 'error') : (failures[0]?.message ?? '');
  return {
    step,
    maxScore,
    score: passed ? maxScore : 0,
    passed,
    checks: results.tests.length,
    failures,
    firstFailure: passed ? '' : firstLine(first) || 'failed',
  };
}

export function readOutcomes(dir: string, steps: readonly StepInfo[]): StepOutcome[] {
  return steps.map((step) => readOutcome(dir, step));
}

export function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim())?.trim() ?? '';
}

export function scoreLine(outcomes: readonly StepOutcome[]): string {
  const score = outcomes.reduce((sum, outcome) => sum + outcome.score, 0);
  const max = outcomes.reduce((sum, outcome) => sum + outcome.maxScore, 0);
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  return `Total: ${score} of ${max} points (${passed} of ${outcomes.length} steps passed)`;
}
