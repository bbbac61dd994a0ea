/**
 * `npm start -- classroom handout <folder> [--grading <kind>]`: a git repository for learners, one
 * commit holding the learner's copy of the workshop (handout-files.ts) and, with --grading, what
 * that kind of grading needs in the repository. Gradescope's zip is for the instructor to upload,
 * so it goes beside the folder, not into it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { ROOT } from '../target.ts';
import { handoutFiles } from './handout-files.ts';
import { gradingOutput, outputFiles, type GradingKind } from './grading-files.ts';

export interface Handout {
  folder: string;
  files: number;
  /** Written outside the repository (Gradescope's zip). */
  beside?: string;
}

function git(folder: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function writeHandout(folder: string, grading?: GradingKind): Handout {
  const inside = relative(ROOT, folder);
  if (!inside || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new RangeError(`Expected the handout's folder to be outside the workshop (${ROOT}), got \`${folder}\`: a copy inside would be a repository within this one.`);
  }
  if (existsSync(folder) && readdirSync(folder).length > 0) {
    throw new RangeError(`${folder} is there already and not empty; nothing was written. Choose a new folder.`);
  }
  const files = handoutFiles(grading);
  for (const file of files) {
    const to = join(folder, file.path);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, file.data, { mode: file.mode });
  }
  let beside: string | undefined;
  let count = files.length;
  if (grading) {
    const output = gradingOutput(grading);
    const at = grading === 'gradescope' ? `${folder}-${output.path}` : join(folder, output.path);
    for (const { file, content } of outputFiles(output, at)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      if (grading !== 'gradescope') count++;
    }
    if (grading === 'gradescope') beside = at;
  }
  git(folder, 'init', '--quiet', '--initial-branch=main');
  git(folder, 'add', '--all');
  // A machine without a git identity still gets its commit.
  const named = (() => {
    try {
      return Boolean(git(folder, 'config', 'user.email'));
    } catch {
      return false;
    }
  })();
  const identity = named ? [] : ['-c', 'user.name=Concurrency workshop', '-c', 'user.email=workshop@localhost'];
  git(folder, ...identity, 'commit', '--quiet', '--no-verify', '-m', `The concurrency workshop, for learners${grading ? `, graded with ${grading}` : ''}`);
  return { folder, files: count, beside };
}
