/**
 * Gradescope's results.json from verify's results, one test per step:
 * `node workshop/grading/gradescope.ts <dir> [step ...] > /autograder/results/results.json`.
 * A test's output is the learner-facing text of the failures (each failed check and what it
 * says, then the step's hint); the top-level output carries the total.
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { select, type StepInfo } from '../manifest.ts';
import { allSteps } from './points.ts';
import { readOutcomes, scoreLine, type StepOutcome } from './results.ts';

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: 'visible';
}

export interface GradescopeResults {
  score: number;
  output: string;
  visibility: 'visible';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

/** What a learner reads for a step: the failures as verify's report words them, then the hint. */
export function failureText(outcome: StepOutcome): string {
  if (outcome.passed) return `All ${outcome.checks} checks passed.`;
  if (outcome.failures.length === 0) return `${outcome.firstFailure}\n\nHint for ${outcome.step.id}: ${outcome.step.hint}`;
  let previous = '';
  const lines = outcome.failures.flatMap((failure) => {
    const same = failure.message === previous;
    previous = failure.message;
    return [`✗ ${failure.name}`, ...(same ? ['    ↳ the same as above'] : failure.message.split('\n').map((line) => `    ${line}`))];
  });
  return `${outcome.checks - outcome.failures.length} of ${outcome.checks} checks passed.\n\n${lines.join('\n')}\n\nHint for ${outcome.step.id}: ${outcome.step.hint}`;
}

export function gradescopeResults(outcomes: readonly StepOutcome[]): GradescopeResults {
  return {
    score: outcomes.reduce((sum, outcome) => sum + outcome.score, 0),
    output: `${scoreLine(outcomes)}.\nEach step scores its points when all its checks pass: \`npm run verify -- <step>\` shows the same checks on your machine.`,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: outcomes.map((outcome) => ({
      name: `${outcome.step.id} ${outcome.step.title}`,
      score: outcome.score,
      max_score: outcome.maxScore,
      status: outcome.passed ? 'passed' : 'failed',
      output: failureText(outcome),
      visibility: 'visible',
    })),
  };
}

export function main(argv: readonly string[]): number {
  const [dir, ...names] = argv;
  if (!dir) {
    console.error('Usage: node workshop/grading/gradescope.ts <results folder> [step ...]');
    return 2;
  }
  const steps: StepInfo[] = names.length > 0 ? names.flatMap((name) => select(name).steps) : allSteps();
  process.stdout.write(`${JSON.stringify(gradescopeResults(readOutcomes(dir, steps)), null, 2)}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
