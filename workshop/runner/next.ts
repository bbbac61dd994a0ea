/**
 * What verify says once the checked steps pass: that they did, what comes next, and where the
 * reference solution can be compared with your code.
 */
import { findStep, lessons, type StepInfo } from '../manifest.ts';
import { statusOf, type Progress } from './progress.ts';
import { color } from './terminal.ts';

export function nextSteps(passed: readonly StepInfo[], progress: Progress): string {
  const ids = passed.map((step) => step.id);
  const order = lessons.flatMap((lesson) => lesson.steps);
  const last = Math.max(...ids.map((id) => order.findIndex((step) => step.id === id)));
  const open = (step: StepInfo) => statusOf(progress, step.id) !== 'passed';
  const next = order.slice(last + 1).find(open) ?? order.find(open);
  const lines = [color('green', `✓ ${ids.join(', ')} passed.`)];
  if (next) {
    const lesson = findStep(next.id)!.lesson;
    lines.push(
      `Next: ${next.id} ${next.title}`,
      `  read lessons/${lesson.slug}/README.md, edit ${next.files.map((file) => `lessons/${lesson.slug}/${file}`).join(', ')}`,
      `  then: npm run verify -- ${next.id}    (or npm run watch -- ${next.id} to re-check on every save)`,
    );
  } else {
    lines.push('That was the last open step: you have done the whole workshop.');
  }
  lines.push(color('dim', `Compare your code with the reference solution: npm start -- diff ${ids[ids.length - 1]}`));
  return lines.join('\n');
}
