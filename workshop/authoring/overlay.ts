/**
 * Folders the checks can target that are the solutions with a few files changed: a copy of a
 * lesson's solution with an overlay's files (a starter's, an alternative's) laid over it, or a
 * patch (a mutant's, a harness fixture's) applied to it.
 */
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../target.ts';
import { applyMutant } from './mutant-patch.ts';

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

/**
 * Copies solutions/<slug> to `<folder>/<slug>` and applies `patch` to the copy. Throws, naming
 * `label`, when a hunk no longer fits the reference.
 */
export function layPatch(folder: string, slug: string, patch: string, label: string): void {
  const dir = join(folder, slug);
  cpSync(join(ROOT, 'solutions', slug), dir, { recursive: true });
  applyMutant(patch, dir, label);
}
