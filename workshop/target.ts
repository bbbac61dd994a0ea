/**
 * The switch between the learner's code and the reference solutions: `WORKSHOP_TARGET` is
 * `lessons` (the default), `solutions`, or a folder inside the project with the same layout
 * (the authoring check builds such folders to mix starters and solutions).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function targetName(env: NodeJS.ProcessEnv = process.env): string {
  return env.WORKSHOP_TARGET?.trim() || 'lessons';
}

/** The absolute folder the tests import lesson code from. */
export function targetDir(env: NodeJS.ProcessEnv = process.env): string {
  const name = targetName(env);
  const dir = isAbsolute(name) ? name : resolve(ROOT, name);
  const inside = relative(ROOT, dir);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new RangeError(`Expected WORKSHOP_TARGET to be lessons, solutions or a folder inside the project, got \`${name}\``);
  }
  if (!existsSync(dir)) {
    throw new RangeError(`WORKSHOP_TARGET is \`${name}\`, but ${dir} does not exist. Use lessons (your code) or solutions.`);
  }
  return dir;
}
