/**
 * The job summary of the Actions workflow: `node workshop/grading/summary.ts <dir> [step ...]`
 * prints Markdown for $GITHUB_STEP_SUMMARY, the total in its first line, then a table with a row
 * per step (by default every step of the manifest). Exits 1 unless every step passed, so the run's
 * mark on the commit says the same as the total.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { select, type StepInfo } from '../manifest.ts';
import { allSteps } from './points.ts';
import { readOutcomes, scoreLine, type StepOutcome } from './results.ts';

/** A table cell: one line, and no `|` that would end the cell early. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

export function summaryMarkdown(outcomes: readonly StepOutcome[]): string {
  const rows = outcomes.map((outcome) => {
    const { step } = outcome;
    const checks = `${outcome.checks - outcome.failures.length} of ${outcome.checks} checks`;
    const passed = outcome.passed ? `✓ ${checks}` : outcome.checks > 0 ? `✗ ${checks}` : '✗ not judged';
    return `| ${step.id} ${cell(step.title)} | ${outcome.score} of ${outcome.maxScore} | ${passed} | ${cell(outcome.firstFailure)} |`;
  });
  return [
    `## ${scoreLine(outcomes)}`,
    '',
    '| Step | Points | Passed | First failure |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Run `npm run verify -- <step>` on your machine for the whole report, with the hint.',
    '',
  ].join('\n');
}

export function main(argv: readonly string[]): number {
  const [dir, ...names] = argv;
  if (!dir) {
    console.error('Usage: node workshop/grading/summary.ts <results folder> [step ...]');
    return 2;
  }
  const steps: StepInfo[] = names.length > 0 ? names.flatMap((name) => select(name).steps) : allSteps();
  const outcomes = readOutcomes(dir, steps);
  process.stdout.write(summaryMarkdown(outcomes));
  return outcomes.every((outcome) => outcome.passed) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
