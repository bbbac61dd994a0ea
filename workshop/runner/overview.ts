/**
 * The overview of the workshop: a progress bar, the step to do now, and every lesson's steps
 * marked done, failing, broken or not started. `npm start` prints it when it is not talking to a
 * terminal (piped, CI); the menu draws the same lines with a cursor.
 */
import { lessons, type StepInfo } from '../manifest.ts';
import { currentStep, statusOf, type Progress, type Status } from './progress.ts';
import { color, progressBar } from './terminal.ts';

const MARKS: Record<Status, string> = {
  passed: color('green', '✓'),
  failed: color('red', '✗'),
  error: color('red', '!'),
  'not-started': color('dim', '·'),
};

export const LEGEND = `${MARKS.passed} done  ${MARKS.failed} failing  ${MARKS.error} does not load or hangs  ${MARKS['not-started']} not started`;

export function header(progress: Progress): string[] {
  const steps = lessons.flatMap((lesson) => lesson.steps);
  const done = steps.filter((step) => statusOf(progress, step.id) === 'passed').length;
  const now = currentStep(progress);
  return [
    color('bold', 'Concurrency with threads and Redis: the workshop'),
    `${progressBar(done, steps.length)} steps done`,
    now ? `Now: ${color('bold', `${now.id} ${now.title}`)}   npm run verify -- ${now.id}` : color('green', 'Every step passes: the workshop is done.'),
  ];
}

/** A step's mark alone: ✓ ✗ ! or ·. */
export function stepMark(step: StepInfo, progress: Progress): string {
  return MARKS[statusOf(progress, step.id)];
}

/** One line for a step, as the overview and the menu show it. */
export function stepLine(step: StepInfo, progress: Progress): string {
  const record = progress.steps[step.id];
  const status = statusOf(progress, step.id);
  const detail = record && status !== 'passed' ? color('dim', `  ${record.passed} of ${record.checks} checks passed`) : '';
  return `${MARKS[status]} ${step.id}  ${step.title}  ${color('dim', `[${step.difficulty}]`)}${detail}`;
}

export function lessonLine(lessonIndex: number): string {
  const lesson = lessons[lessonIndex]!;
  return `${color('bold', `${lesson.id}  ${lesson.title}`)}${lesson.minRedis ? '' : color('dim', '  (no Redis needed)')}`;
}

export function overview(progress: Progress): string {
  const lines = [...header(progress), ''];
  lessons.forEach((lesson, index) => {
    lines.push(lessonLine(index));
    for (const step of lesson.steps) lines.push(`    ${stepLine(step, progress)}`);
  });
  lines.push(
    '',
    LEGEND,
    '',
    'In a terminal, npm start opens a menu. Or run a command:',
    '  npm run verify -- 02b        check a step (or a whole lesson: 02)',
    '  npm run watch -- 02b         re-check it every time you save',
    '  npm start -- hint 02b        a hint',
    '  npm start -- diff 02b        your code next to the solution (once the step passed)',
    '  npm start -- reset 02b       put the step back as it was (also: reset all)',
    '  npm run doctor               is everything here that the workshop needs?',
  );
  return lines.join('\n');
}
