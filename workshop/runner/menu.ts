/**
 * The menu `npm start` opens in a terminal: every step with its mark, the cursor on the step to do
 * now, and single keys to check it, watch it, read its hint or README, compare it with the
 * solution, or reset it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { runStep } from './actions.ts';
import { classroomCommand } from '../classroom/learner-cli.ts';
import { readMembership } from '../classroom/membership.ts';
import { dropTypedKeys, nextKey, releaseKeys } from './keys.ts';
import { findStep, lessons, stepAfter, type StepInfo } from '../manifest.ts';
import { header, LEGEND, lessonLine, stepLine, stepMark } from './overview.ts';
import { currentStep, forget, readProgress } from './progress.ts';
import { resetSteps, solutionDiff } from './step-files.ts';
import { ROOT } from '../target.ts';
import { color, fit, wrap } from './terminal.ts';
import { watchStep } from './watch.ts';

const KEYS = 'up/down choose · enter check · w watch · h hint · r README · d compare with solution · x reset · g join a class · q quit';

export async function menu(): Promise<number> {
  try {
    return await loop();
  } finally {
    releaseKeys();
  }
}

async function loop(): Promise<number> {
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
    let after: string | undefined;
    if (key === 'up' || key === 'k') cursor = Math.max(0, cursor - 1);
    else if (key === 'down' || key === 'j') cursor = Math.min(steps.length - 1, cursor + 1);
    else if (key === 'h') note = color('cyan', `Hint for ${step.id}: ${step.hint}`);
    else if (key === 'return' || key === 'c') after = await page(() => runStep(step));
    else if (key === 'w') {
      // n in watch mode moves on to the following step; q comes back here, on the last one watched.
      for (let watched: StepInfo | undefined = step; watched; watched = stepAfter(watched)) {
        clear();
        cursor = steps.indexOf(watched);
        const end = await watchStep(watched);
        if (end === 'interrupted') after = 'ctrl-c';
        if (end !== 'next') break;
      }
    } else if (key === 'r') after = await readme(step);
    else if (key === 'd') after = await compare(step);
    else if (key === 'x') note = (await reset(step)) ?? '';
    else if (key === 'g') after = await page(joinOrLeave);
    // Ctrl-C on a page that waits for a key leaves the menu, as it would anywhere else.
    if (after === 'ctrl-c') return 130;
  }
}

function draw(steps: readonly StepInfo[], cursor: number, note: string): void {
  clear();
  process.stdout.write(`${menuLines(steps, cursor, note, process.stdout.columns || 80, process.stdout.rows || 24).join('\n')}\n`);
}

/**
 * The menu's lines for a terminal of `columns` x `rows`: every lesson, the steps of all of them when
 * they fit, else only the lesson under the cursor's (the others show their marks on one line), and
 * no line wider than the terminal, so nothing wraps and the top never scrolls away.
 */
export function menuLines(steps: readonly StepInfo[], cursor: number, note: string, columns: number, rows: number): string[] {
  const progress = readProgress();
  const here = steps[cursor];
  const foot = ['', color('dim', LEGEND), ...wrap(KEYS, columns).map((line) => color('dim', line))];
  const notes = note ? ['', ...note.split('\n').flatMap((line) => wrap(line, columns))] : [];
  const stepRow = (step: StepInfo) => (step === here ? `${color('cyan', '  > ')}${color('inverse', stepLine(step, progress))}` : `    ${stepLine(step, progress)}`);
  const full = [...header(progress), ''];
  lessons.forEach((lesson, index) => full.push(lessonLine(index), ...lesson.steps.map(stepRow)));
  let body = full;
  if (full.length + foot.length + notes.length > rows) {
    body = [...header(progress), ''];
    lessons.forEach((lesson, index) => {
      if (here && lesson.steps.includes(here)) body.push(lessonLine(index), ...lesson.steps.map(stepRow));
      else body.push(`${lessonLine(index)}  ${lesson.steps.map((step) => stepMark(step, progress)).join('')}`);
    });
  }
  return [...body, ...foot, ...notes].map((line) => fit(line, columns));
}

function clear(): void {
  process.stdout.write('\x1b[2J\x1b[H');
}

/** Shows what `action` prints, then waits for a key before the menu comes back. */
async function page(action: () => Promise<unknown>): Promise<string> {
  clear();
  await action();
  dropTypedKeys();
  process.stdout.write(color('dim', '\nPress any key to go back to the menu.'));
  return nextKey();
}

/** The lesson's README in `less` when there is one (q comes back), else printed. */
async function readme(step: StepInfo): Promise<string | undefined> {
  const { lesson } = findStep(step.id)!;
  const file = join(ROOT, 'lessons', lesson.slug, 'README.md');
  if (!existsSync(file)) return page(async () => console.log(`${file} is missing.`));
  releaseKeys();
  const pager = spawnSync(process.env.PAGER || 'less', ['-R', file], { stdio: 'inherit' });
  return pager.error ? page(async () => console.log(readFileSync(file, 'utf8'))) : undefined;
}

async function compare(step: StepInfo): Promise<string | undefined> {
  const passed = readProgress().steps[step.id]?.firstPassedAt;
  if (!passed && !(await confirm(`${step.id} has not passed yet: seeing the solution now gives the answer away. Show it anyway?`))) return undefined;
  return page(async () => console.log(solutionDiff(step)));
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

/** Joins a class, asking for the address and a name; in a class already, offers to leave it. */
async function joinOrLeave(): Promise<void> {
  const membership = readMembership();
  if (membership) {
    console.log(`You are in the class at ${membership.server} as ${membership.name}.`);
    if (await confirm('Leave it, and check on a Redis on this machine again?')) {
      process.stdout.write('\n');
      await classroomCommand(['leave']);
    }
    return;
  }
  releaseKeys();
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    console.log('Join a class: your checks run on a Redis of your own in the classroom, and your results show on the instructor\'s board.');
    const address = (await prompt.question('The join address your instructor shows (empty to go back): ')).trim();
    if (!address) return;
    const name = (await prompt.question('Your name, as the class knows you: ')).trim();
    if (!name) return;
    await classroomCommand(['join', address, '--name', name]);
  } finally {
    prompt.close();
  }
}

async function confirm(question: string): Promise<boolean> {
  process.stdout.write(`\n${question} ${color('bold', '[y/N]')} `);
  return (await nextKey()) === 'y';
}
