/**
 * Writes a generated file without losing an instructor's edits: the same bytes are left alone, a
 * different file is replaced only when forced.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ROOT } from '../target.ts';

/** `exists`: a different file is there and `force` was not given, so nothing was written. */
export type WriteOutcome = 'written' | 'unchanged' | 'exists';

export function writeGenerated(file: string, content: string | Uint8Array, { force = false }: { force?: boolean } = {}): WriteOutcome {
  if (typeof file !== 'string' || !file) throw new TypeError(`Expected \`file\` to be a path, got \`${String(file)}\` (${typeof file})`);
  const bytes = Buffer.from(content);
  if (existsSync(file)) {
    if (readFileSync(file).equals(bytes)) return 'unchanged';
    if (!force) return 'exists';
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return 'written';
}

/** A path the user typed: relative to where they ran npm (npm itself runs in the project). */
export function userPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.INIT_CWD || process.cwd(), path);
}

/** A path as the messages show it: from the project when it is inside. */
export function shown(file: string): string {
  const inside = relative(ROOT, file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}
