/**
 * Folders the checks can target that are the solutions with a few files changed: a copy of a
 * lesson's solution with an overlay's files (a starter's, a mutant's, an alternative's, a harness
 * fixture's) laid over it.
 */
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../target.ts';

/** Every file under `dir`, as paths relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/**
 * Copies solutions/<slug> to `<folder>/<slug>` and lays `overlay`'s files (or only `files` of it)
 * over the copy. `folder` is then a target for WORKSHOP_TARGET, once inside the project.
 */
export function layOver(folder: string, slug: string, overlay: string, files?: readonly string[]): void {
  const dir = join(folder, slug);
  cpSync(join(ROOT, 'solutions', slug), dir, { recursive: true });
  for (const file of files ?? listFiles(overlay)) cpSync(join(overlay, file), join(dir, file));
}
