/**
 * `--repeat N`: one verdict per step over N runs. A check that passes in some runs and fails in
 * others depends on timing, which is what a race looks like from the outside.
 */
import { allPassed, stepStatus, type RunResult } from '../checks/check-result.ts';
import type { StepInfo } from '../manifest.ts';
import { color } from './terminal.ts';

export function formatRepeats(runs: readonly RunResult[], steps: readonly StepInfo[]): string {
  const lines = [color('bold', `${runs.length} runs:`)];
  for (const step of steps) {
    const passed = runs.filter((run) => stepStatus(run, step.id) === 'passed').length;
    let verdict: string;
    if (passed === runs.length) verdict = color('green', `passed ${passed} of ${runs.length}`);
    else if (passed === 0) verdict = color('red', `passed 0 of ${runs.length}: it fails every time, so look at the first message above`);
    else verdict = color('yellow', `passed ${passed} of ${runs.length}: this looks like a race; the result depends on timing`);
    lines.push(`  ${step.id} ${verdict}`);
    for (const name of flakyChecks(runs, step.id)) lines.push(color('dim', `      ${name}`));
  }
  const clean = runs.filter(allPassed).length;
  lines.push(`${clean} of ${runs.length} runs passed every check`);
  return lines.join('\n');
}

/** The checks of a step that failed in some runs, with how often. */
function flakyChecks(runs: readonly RunResult[], stepId: string): string[] {
  const failures = new Map<string, number>();
  for (const run of runs) {
    for (const check of run.checks) {
      if (check.stepId === stepId && check.state === 'failed') failures.set(check.name, (failures.get(check.name) ?? 0) + 1);
    }
  }
  return [...failures].map(([name, count]) => `✗ ${name}: failed in ${count} of ${runs.length} runs`);
}
