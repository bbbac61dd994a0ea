/**
 * A step's files: your version next to the reference solution, and a reset that puts them back
 * as the workshop shipped them (from git), after saving yours where you can find it again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { findStep, type StepInfo } from '../manifest.ts';
import { ROOT, targetDir } from '../target.ts';
import { color } from './terminal.ts';

export interface StepFile {
  /** Such as `02-washer-dryer/dryer.ts`. */
  name: string;
  /** Your file: in lessons/, or in the folder WORKSHOP_TARGET names. */
  yours: string;
  solution: string;
}

export function stepFiles(step: StepInfo): StepFile[] {
  const { lesson } = findStep(step.id)!;
  return step.files.map((file) => ({
    name: `${lesson.slug}/${file}`,
    yours: join(targetDir(), lesson.slug, file),
    solution: join(ROOT, 'solutions', lesson.slug, file),
  }));
}

/** A copy handed out to learners (`classroom handout`) has no solutions/. */
export function solutionsShipped(): boolean {
  return existsSync(join(ROOT, 'solutions'));
}

/** What `diff` says in a copy without solutions/, for the step asked about. */
export const noSolutions = (id = '02b'): string =>
  'The solutions are not in this copy of the workshop: it was handed out without them. ' +
  `The hint helps (npm start -- hint ${id}), and so does each failed check's message (npm run verify -- ${id} --full).`;

/** A unified diff of your files against the solution's, coloured for a terminal. */
export function solutionDiff(step: StepInfo): string {
  if (!solutionsShipped()) return noSolutions(step.id);
  const parts: string[] = [];
  for (const file of stepFiles(step)) {
    const yours = existsSync(file.yours) ? readFileSync(file.yours, 'utf8') : '';
    const patch = createTwoFilesPatch(relative(ROOT, file.yours), relative(ROOT, file.solution), yours, readFileSync(file.solution, 'utf8'), 'yours', 'solution');
    const body = patch
      .split('\n')
      .filter((line) => !/^(Index:|={10,})/.test(line))
      .join('\n');
    parts.push(body.includes('@@') ? paint(body) : color('dim', `${relative(ROOT, file.yours)}: the same as the solution`));
  }
  return parts.join('\n');
}

function paint(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return color('bold', line);
      if (line.startsWith('+')) return color('green', line);
      if (line.startsWith('-')) return color('red', line);
      if (line.startsWith('@@')) return color('cyan', line);
      return line;
    })
    .join('\n');
}

/**
 * The commit the workshop shipped: the branch you cloned (its upstream, such as origin/main), so
 * that your own commits are not mistaken for the starter; HEAD when there is no upstream.
 */
export function shippedRef(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    git('rev-parse', '--git-dir');
  } catch {
    throw new Error('Reset needs the workshop\'s git history, to restore files as they were shipped. Clone the workshop with git (git clone ...) rather than downloading it.');
  }
  try {
    return git('rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}');
  } catch {
    return 'HEAD';
  }
}

/**
 * Puts the steps' files back as shipped. Your versions are saved first under
 * `.workshop/backups/<time>/`; returns that folder. Nothing is written if a file cannot be restored.
 */
export function resetSteps(steps: readonly StepInfo[], ref = shippedRef()): string {
  const files = steps.flatMap(stepFiles).map((file) => {
    let shipped: string;
    try {
      shipped = execFileSync('git', ['show', `${ref}:lessons/${file.name}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      throw new Error(`lessons/${file.name} is not in the workshop's git history at ${ref}, so it cannot be reset.`);
    }
    return { ...file, shipped };
  });
  const backup = join(ROOT, '.workshop', 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
  for (const file of files) {
    if (existsSync(file.yours)) {
      const saved = join(backup, relative(ROOT, file.yours));
      mkdirSync(dirname(saved), { recursive: true });
      writeFileSync(saved, readFileSync(file.yours));
    }
  }
  for (const file of files) writeFileSync(file.yours, file.shipped);
  return relative(ROOT, backup);
}
