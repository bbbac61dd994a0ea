/**
 * The plain report verify and watch mode print: each failed check's teaching message first, then
 * what led there, then the detail; no stack frames of the harness.
 *
 * One mistake, one story: in each step the first failed check is shown whole, and the step's
 * checks run from the simplest case up, so it is the one that names the mistake. A later failure
 * of the same step most often follows from it (an LPUSH washer fails every check that looks at
 * the order): it gets one line, marked so. `full` shows every failure whole (verify --full).
 */
import { stripVTControlCharacters } from 'node:util';
import type { CheckResult, RunResult } from './check-result.ts';
import type { Selection } from '../manifest.ts';
import { foundationNote, type Foundation } from './foundations.ts';
import { color, indent, wantsColor } from '../runner/terminal.ts';

export interface ReportOptions {
  /** Every failure whole, not only the first of each step. */
  full?: boolean;
  /** Failed steps whose foundations (earlier steps they run) fail too: see checks/foundations.ts. */
  foundations?: ReadonlyMap<string, readonly Foundation[]>;
  /** A failure already printed whole as soon as it failed (runner/first-failure.ts): one line here. */
  shownAbove?: Pick<CheckResult, 'stepId' | 'name'>;
}

export function formatReport(selections: readonly Selection[], result: RunResult, target: string, options: ReportOptions = {}): string {
  const out: string[] = [];
  const where = target === 'lessons' ? 'your code in lessons/' : `${target}/`;
  for (const { lesson, steps } of selections) {
    out.push(color('bold', `Lesson ${lesson.id} · ${lesson.title}`) + color('dim', `  (${where})`), '');
    for (const step of steps) {
      out.push(`${step.id} ${step.title}`);
      const checks = result.checks.filter((check) => check.stepId === step.id);
      if (checks.length === 0) out.push(color('yellow', '  (no check ran for this step)'));
      const below = options.foundations?.get(step.id);
      if (below) out.push(color('yellow', indent(`! ${foundationNote(step, below)}`, '  ')));
      let first = false;
      let previous: string | undefined;
      for (const check of checks) {
        const above = check.state === 'failed' && check.stepId === options.shownAbove?.stepId && check.name === options.shownAbove.name;
        if (above && !options.full) out.push(`${color('red', `  ✗ ${check.name}`)}\n${color('dim', '      ↑ shown whole above, as soon as it failed')}`);
        else if (check.state !== 'failed' || !first || options.full) out.push(formatCheck(check));
        else out.push(`${color('red', `  ✗ ${check.name}`)}\n${color('dim', `      ↳ ${followsFrom(check, previous)}`)}`);
        if (check.state === 'failed') [first, previous] = [true, check.message];
      }
      out.push('');
    }
  }
  if (result.loadErrors.length > 0) {
    out.push(color('red', 'Your code could not be loaded, so no check could run:'));
    for (const error of result.loadErrors) out.push(indent(error, '  '), '');
  }
  if (result.unhandled.length > 0) {
    out.push(color('red', 'Errors thrown outside any check (a promise nobody awaited, a worker that crashed):'));
    for (const error of result.unhandled) out.push(indent(error, '  '), '');
  }
  if (result.stalled && result.stuck) {
    out.push(color('red', `The run was stopped at ${result.stuck.stepId} › ${result.stuck.name}: it never gave control back (see above).`), '');
  } else if (result.stalled) {
    out.push(
      color('red', 'The run was stopped: a check never gave control back.'),
      '  A loop that never awaits (for (;;) {} or a busy wait) blocks its thread, and even the time limit cannot fire.',
      '',
    );
  }
  if (result.redis) out.push(color('dim', `Redis: ${result.redis}`));
  const firstFailed = selections.flatMap((selection) => selection.steps).find((step) =>
    result.checks.some((check) => check.stepId === step.id && check.state !== 'passed'),
  );
  // The hint of the step to fix first: a failing foundation's, when there is one.
  const hinted = (firstFailed && options.foundations?.get(firstFailed.id)?.[0]?.step) ?? firstFailed;
  if (hinted) out.push(color('cyan', `Hint for ${hinted.id}: ${hinted.hint}`), '');
  if (firstFailed?.threads && result.seed !== undefined) {
    out.push(
      color('dim', `Your threads ran on schedule ${result.seed} (the checks vary when each thread pauses, to bring races out).`),
      color('dim', `To run that schedule again: npm run verify -- ${firstFailed.id} --seed ${result.seed}`),
      '',
    );
  }
  out.push(tally(result));
  return out.join('\n');
}

/** `12 passed, 1 failed`: a load error or a stalled run counts as a failure (the stuck check, when it is known). */
export function tally(result: RunResult): string {
  const passed = result.checks.filter((check) => check.state === 'passed').length;
  const failed = result.checks.filter((check) => check.state === 'failed').length + result.loadErrors.length + (result.stalled && !result.stuck ? 1 : 0);
  return `${passed} passed, ${failed} failed`;
}

/** One line for a later failure of a step: its own first words, without vitest's expected/received. */
function followsFrom(check: CheckResult, previous: string | undefined): string {
  if (check.message === previous) return 'the same as above';
  const own = (check.message ?? '').split('\n')[0]!.replace(/: expected .*$/, '');
  const cut = own.length > 110 ? `${own.slice(0, 109)}…` : own;
  return `likely follows from the first failure above; fix that one first${cut ? ` (this one: ${cut})` : ''}`;
}

/** One check as the report shows it: a line when it passed; the message, diff and place when it failed. */
export function formatCheck(check: CheckResult): string {
  if (check.state === 'passed') return color('green', `  ✓ ${check.name}`);
  if (check.state === 'skipped') return color('dim', `  - ${check.name} (skipped${check.message ? `: ${check.message}` : ''})`);
  const lines = [color('red', `  ✗ ${check.name}`)];
  if (check.message) lines.push(indent(check.message, '      '));
  // vitest colours its diff whatever the output is: plain text unless a person is looking.
  const diff = check.diff && (wantsColor() ? check.diff : stripVTControlCharacters(check.diff));
  if (diff) lines.push(indent(diff.split('\n').slice(0, 16).join('\n'), '      '));
  if (check.location) lines.push(color('dim', `      at ${check.location}`));
  return lines.join('\n');
}
