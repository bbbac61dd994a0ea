/**
 * `npm run verify -- 02` checks a whole lesson, `npm run verify -- 02b` one step. It runs the
 * checks against your code in lessons/ (or the solutions when WORKSHOP_TARGET=solutions) and
 * prints a plain report led by what each failed check has to teach. Exit code 0 only when all pass.
 */
import { pathToFileURL } from 'node:url';
import { styleText } from 'node:util';
import { select, type Selection } from './manifest.ts';
import { runChecks, type CheckResult, type RunResult } from './run-checks.ts';
import { targetName } from './target.ts';

/** The checks' Redis fixture throws a RedisUnavailableError when the run has no usable server. */
const NO_REDIS = 'RedisUnavailableError: ';

const color = (style: Parameters<typeof styleText>[0], text: string) => (process.stdout.isTTY ? styleText(style, text) : text);
const indent = (text: string, by: string) => text.split('\n').map((line) => (line ? by + line : line)).join('\n');

export function formatReport(selections: Selection[], result: RunResult, target: string): string {
  const out: string[] = [];
  const where = target === 'lessons' ? 'your code in lessons/' : `${target}/`;
  for (const { lesson, steps } of selections) {
    out.push(color('bold', `Lesson ${lesson.id} · ${lesson.title}`) + color('dim', `  (${where})`), '');
    for (const step of steps) {
      out.push(`${step.id} ${step.title}`);
      const checks = result.checks.filter((check) => check.stepId === step.id);
      if (checks.length === 0) out.push(color('yellow', '  (no check ran for this step)'));
      let previous: string | undefined;
      for (const check of checks) {
        const same = check.state === 'failed' && check.message !== undefined && check.message === previous;
        out.push(same ? `${color('red', `  ✗ ${check.name}`)}\n${color('dim', '      (the same as above)')}` : formatCheck(check));
        previous = check.message;
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
  if (result.stalled) {
    out.push(
      color('red', 'The run was stopped: a check never gave control back.'),
      '  A loop that never awaits (for (;;) {} or a busy wait) blocks its thread, and even the time limit cannot fire.',
      '',
    );
  }
  if (result.redis) out.push(color('dim', `Redis: ${result.redis}`));
  const passed = result.checks.filter((check) => check.state === 'passed').length;
  const failed = result.checks.filter((check) => check.state === 'failed').length + result.loadErrors.length + (result.stalled ? 1 : 0);
  const firstFailed = selections.flatMap((selection) => selection.steps).find((step) =>
    result.checks.some((check) => check.stepId === step.id && check.state !== 'passed'),
  );
  if (firstFailed) out.push(color('cyan', `Hint for ${firstFailed.id}: ${firstFailed.hint}`), '');
  out.push(`${passed} passed, ${failed} failed`);
  return out.join('\n');
}

function formatCheck(check: CheckResult): string {
  if (check.state === 'passed') return color('green', `  ✓ ${check.name}`);
  if (check.state === 'skipped') return color('dim', `  - ${check.name} (skipped${check.message ? `: ${check.message}` : ''})`);
  const lines = [color('red', `  ✗ ${check.name}`)];
  if (check.message) lines.push(indent(check.message, '      '));
  if (check.diff) lines.push(indent(check.diff.split('\n').slice(0, 16).join('\n'), '      '));
  if (check.location) lines.push(color('dim', `      at ${check.location}`));
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const names = argv.filter((arg) => !arg.startsWith('-'));
  if (names.length === 0 || argv.includes('--help')) {
    console.log('Usage: npm run verify -- <lesson or step>, e.g. npm run verify -- 02 or npm run verify -- 02b');
    return names.length === 0 && !argv.includes('--help') ? 2 : 0;
  }
  let selections: Selection[];
  try {
    selections = names.map(select);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const target = targetName();
  const result = await runChecks({
    lessons: selections.map((selection) => selection.lesson),
    steps: selections.flatMap((selection) => selection.steps),
    target,
  });
  // Without Redis every check fails the same way: say it once, not once per check.
  const noRedis = result.checks.find((check) => check.message?.startsWith(NO_REDIS));
  if (noRedis?.message && result.checks.every((check) => check.state !== 'passed')) {
    console.error(noRedis.message.slice(NO_REDIS.length).split('\n\n')[0]);
    return 1;
  }
  console.log(formatReport(selections, result, target));
  const ok = result.checks.length > 0 && result.checks.every((check) => check.state === 'passed') && !result.stalled && result.loadErrors.length === 0 && result.unhandled.length === 0;
  return ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
