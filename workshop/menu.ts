/**
 * The menu `npm start` opens in a terminal: every step with its mark, the cursor on the step to do
 * now, and single keys to check it, watch it, read its hint or README, compare it with the
 * solution, or reset it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStep } from './actions.ts';
import { findStep, lessons, type StepInfo } from './manifest.ts';
import { header, LEGEND, lessonLine, stepLine } from './overview.ts';
import { currentStep, forget, readProgress } from './progress.ts';
import { resetSteps, solutionDiff } from './step-files.ts';
import { ROOT } from './target.ts';
import { color } from './terminal.ts';
import { listenForKeys, watchStep } from './watch.ts';

const KEYS = 'up/down choose · enter check · w watch · h hint · r README · d compare with solution · x reset · q quit';

type Key = string;

export async function menu(): Promise<number> {
  const steps = lessons.flatMap((lesson) => lesson.steps);
  let cursor = Math.max(0, steps.indexOf(currentStep(readProgress()) ?? steps[0]!));
  let note = '';
  for (;;) {
    draw(steps, cursor, note);
    note = '';
    const key = await nextKey();
    const step = steps[cursor]!;
    if (key === 'q' || key === 'escape' || key === 'ctrl-c') {
      process.stdout.write('\n');
      return 0;
    }
    if (key === 'up' || key === 'k') cursor = Math.max(0, cursor - 1);
    else if (key === 'down' || key === 'j') cursor = Math.min(steps.length - 1, cursor + 1);
    else if (key === 'h') note = color('cyan', `Hint for ${step.id}: ${step.hint}`);
    else if (key === 'return' || key === 'enter' || key === 'c') await page(() => runStep(step));
    else if (key === 'w') {
      clear();
      if ((await watchStep(step)) === 'interrupted') return 130;
    } else if (key === 'r') await page(async () => readme(step));
    else if (key === 'd') await compare(step);
    else if (key === 'x') note = (await reset(step)) ?? '';
  }
}

function draw(steps: readonly StepInfo[], cursor: number, note: string): void {
  const progress = readProgress();
  const lines = [...header(progress), ''];
  lessons.forEach((lesson, index) => {
    lines.push(lessonLine(index));
    for (const step of lesson.steps) {
      const here = steps[cursor] === step;
      lines.push(`${here ? color('cyan', '  > ') : '    '}${here ? color('inverse', stepLine(step, progress)) : stepLine(step, progress)}`);
    }
  });
  lines.push('', color('dim', LEGEND), color('dim', KEYS));
  if (note) lines.push('', note);
  clear();
  process.stdout.write(`${lines.join('\n')}\n`);
}

function clear(): void {
  process.stdout.write('\x1b[2J\x1b[H');
}

/** The next single key pressed, by name (`up`, `return`, `q`; `ctrl-c` for Ctrl-C). */
function nextKey(): Promise<Key> {
  return new Promise((resolve) => {
    const onSignal = () => done('ctrl-c');
    const stop = listenForKeys((key) => done(key));
    process.once('SIGINT', onSignal);
    function done(key: Key) {
      stop();
      process.off('SIGINT', onSignal);
      resolve(key);
    }
  });
}

/** Shows what `action` prints, then waits for a key before the menu comes back. */
async function page(action: () => Promise<unknown>): Promise<void> {
  clear();
  await action();
  process.stdout.write(color('dim', '\nPress any key to go back to the menu.'));
  await nextKey();
}

function readme(step: StepInfo): void {
  const { lesson } = findStep(step.id)!;
  const file = join(ROOT, 'lessons', lesson.slug, 'README.md');
  console.log(existsSync(file) ? readFileSync(file, 'utf8') : `${file} is missing.`);
}

async function compare(step: StepInfo): Promise<void> {
  const passed = readProgress().steps[step.id]?.firstPassedAt;
  if (!passed && !(await confirm(`${step.id} has not passed yet: seeing the solution now gives the answer away. Show it anyway?`))) return;
  await page(async () => console.log(solutionDiff(step)));
}

async function reset(step: StepInfo): Promise<string | undefined> {
  if (!(await confirm(`Reset ${step.id}? ${step.files.join(', ')} go back to the starter; your versions are saved first.`))) return undefined;
  try {
    const backup = resetSteps([step]);
    forget([step.id]);
    return color('green', `${step.id} is back as shipped. Your files were saved in ${backup}/.`);
  } catch (error) {
    return color('red', (error as Error).message);
  }
}

async function confirm(question: string): Promise<boolean> {
  process.stdout.write(`\n${question} ${color('bold', '[y/N]')} `);
  return (await nextKey()) === 'y';
}
