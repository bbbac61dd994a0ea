/**
 * A mutant is the few lines that make a solution wrong: a unified diff against the reference in
 * `test/mutants/<lesson slug>/<name>.patch`, as cargo-mutants and Stryker show theirs. `npm run
 * check` applies it to a copy of the solutions; a patch that no longer applies says the reference
 * moved, and fails the check at once instead of testing a stale copy.
 *
 * For authors:
 *   node workshop/authoring/mutant-patch.ts open 06-reliable-queue/blpop-worker DIR   the mutant's files, to edit
 *   node workshop/authoring/mutant-patch.ts make 06-reliable-queue/blpop-worker DIR   its patch, from the edited files
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import { ROOT } from '../target.ts';

export function patchPath(slug: string, name: string): string {
  return join(ROOT, 'test', 'mutants', slug, `${name}.patch`);
}

/** The lesson files a patch changes, as `a/<file>` names them. */
export function patchedFiles(patch: string): string[] {
  return parsePatch(patch).map((file) => (file.newFileName ?? file.oldFileName ?? '').replace(/^b\//, ''));
}

/**
 * The mutant's files: each file the patch names, read from `solutionDir` and patched. Throws when
 * a hunk does not fit the reference any more.
 */
export function mutantFiles(patch: string, solutionDir: string, label: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const filePatch of parsePatch(patch)) {
    const file = (filePatch.newFileName ?? '').replace(/^b\//, '');
    const path = join(solutionDir, file);
    if (!file || !existsSync(path)) throw new Error(`mutant ${label}: its patch names ${file || 'no file'}, which the solution does not have`);
    const patched = applyPatch(readFileSync(path, 'utf8'), filePatch);
    if (patched === false) {
      const hunk = filePatch.hunks.find((h) => h) ?? { oldStart: 0 };
      throw new Error(
        `mutant ${label}: its patch no longer applies to ${relative(ROOT, path)} (near line ${hunk.oldStart}): the reference moved. ` +
          `Lay it out with \`node workshop/authoring/mutant-patch.ts open\` on the old reference, carry the mistake over, and make it again`,
      );
    }
    files.set(file, patched);
  }
  if (files.size === 0) throw new Error(`mutant ${label}: its patch changes no file`);
  return files;
}

/** Lays the mutant over `dir`, a copy of the lesson's solution. */
export function applyMutant(patch: string, dir: string, label: string): void {
  for (const [file, text] of mutantFiles(patch, dir, label)) writeFileSync(join(dir, file), text);
}

/** The patch that turns the solution's files into `edited`'s (files that do not differ are left out). */
export function makePatch(solutionDir: string, edited: string): string {
  const files = (readdirSync(edited, { recursive: true }) as string[]).filter((file) => existsSync(join(solutionDir, file)) && file.endsWith('.ts')).sort();
  const parts = files.flatMap((file) => {
    const before = readFileSync(join(solutionDir, file), 'utf8');
    const after = readFileSync(join(edited, file), 'utf8');
    return before === after ? [] : [createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, '')];
  });
  return parts.join('');
}

function cli(argv: string[]): number {
  const [command, which = '', dir = ''] = argv;
  const [slug = '', name = ''] = which.split('/');
  const solutionDir = join(ROOT, 'solutions', slug);
  if (!['open', 'make'].includes(command ?? '') || !name || !dir || !existsSync(solutionDir)) {
    console.error('Usage: node workshop/authoring/mutant-patch.ts open|make <lesson slug>/<mutant name> <folder>');
    return 2;
  }
  if (command === 'open') {
    const files = mutantFiles(readFileSync(patchPath(slug, name), 'utf8'), solutionDir, name);
    for (const [file, text] of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    console.log(`${[...files.keys()].join(', ')} in ${dir}: edit, then make`);
    return 0;
  }
  const patch = makePatch(solutionDir, dir);
  if (!patch) {
    console.error(`${dir} holds no file that differs from solutions/${slug}: a mutant must change something`);
    return 1;
  }
  writeFileSync(patchPath(slug, name), patch);
  console.log(`wrote ${relative(ROOT, patchPath(slug, name))} (${patch.split('\n').filter((line) => /^[+-](?![+-]{2} )/.test(line)).length} lines changed)`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = cli(process.argv.slice(2));
