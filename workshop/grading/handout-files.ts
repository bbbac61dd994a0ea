/**
 * What a learner's copy of the workshop holds: the project's tracked files (`git ls-files`) without
 * anything that gives answers away or serves only authors, with package.json, tsconfig.json and
 * README.md adapted so that nothing in them points at what was left out.
 *
 * Left out, and why:
 *   solutions/            the answers
 *   test/alternatives/    correct solutions written differently (whole files)
 *   test/mutants/         wrong solutions, each a solution with one mistake (whole files)
 *   test/harness/         the runner's tests; its fixtures are 02's solution with a twist
 *   slides/               the decks show single lines of the solutions (spoilers.test.ts guards runs of 3 only)
 *   bench/                measures the solutions, and its baselines implement the patterns
 *   workshop/race/        races a learner's code against the solutions, with bench/'s rows
 *   test/slides/, test/bench/, test/classroom/, workshop/slides/, workshop/authoring/, .ci/, docs/
 *                         the tests, tools and pictures of those, and of instructors' and authors' work
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../target.ts';
import { handoutReadme } from './handout-readme.ts';

export const LEFT_OUT = [
  'solutions/',
  'test/alternatives/',
  'test/mutants/',
  'test/harness/',
  'slides/',
  'bench/',
  'workshop/race/',
  'test/slides/',
  'test/bench/',
  'test/classroom/',
  'workshop/slides/',
  'workshop/authoring/',
  '.ci/',
  'docs/',
] as const;

/** vitest projects whose tests were left out with their folder. */
const LEFT_OUT_PROJECTS = ['harness', 'slides', 'bench', 'classroom'];

export interface HandoutFile {
  path: string;
  data: Buffer;
  mode: number;
}

export function leftOut(path: string): boolean {
  return LEFT_OUT.some((prefix) => path.startsWith(prefix));
}

/** A script that would run something left out: a left-out path, a left-out vitest project, or the solutions. */
function needsLeftOut(command: string): boolean {
  const paths = command.split(/\s+/).filter((word) => word.includes('/'));
  // `node workshop/launch.mjs race` runs workshop/race/.
  const launched = /\bworkshop\/launch\.mjs (\w+)/.exec(command)?.[1];
  return (
    paths.some((path) => leftOut(path.replace(/^\.\//, ''))) ||
    (launched !== undefined && leftOut(`workshop/${launched}/`)) ||
    LEFT_OUT_PROJECTS.some((project) => new RegExp(`--project ${project}\\b`).test(command)) ||
    /WORKSHOP_TARGET=solutions/.test(command)
  );
}

/** package.json with the scripts that need a left-out folder dropped, and `&&` chains without them. */
export function handoutPackageJson(text: string): string {
  const pkg = JSON.parse(text) as { scripts: Record<string, string> };
  const dropped = new Set(Object.entries(pkg.scripts).filter(([, command]) => needsLeftOut(command)).map(([name]) => name));
  const scripts: Record<string, string> = {};
  for (const [name, command] of Object.entries(pkg.scripts)) {
    if (dropped.has(name)) continue;
    const parts = command.split(' && ').filter((part) => !dropped.has(/^npm run (\S+)$/.exec(part)?.[1] ?? ''));
    scripts[name] = parts.join(' && ');
  }
  return `${JSON.stringify({ ...pkg, scripts }, null, 2)}\n`;
}

/** tsconfig.json without the left-out folders in `include` and `exclude`. */
export function handoutTsconfig(text: string): string {
  const keep = (list: string) =>
    list
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item && !leftOut(`${JSON.parse(item) as string}/`))
      .join(', ');
  return text
    .replace(/("include": \[)([^\]]*)(\])/, (_, open: string, list: string, close: string) => `${open}${keep(list)}${close}`)
    .replace(/\n\s*\/\/[^\n]*\n(\s*"exclude": \[)([^\]]*)(\])/, (_, open: string, list: string, close: string) => {
      const kept = keep(list);
      return kept ? `\n${open}${kept}${close}` : '';
    })
    .replace(/,(\s*\n\})/, '$1');
}

/** The tracked files of the project, as a learner gets them. */
export function handoutFiles(grading?: string): HandoutFile[] {
  const tracked = execFileSync('git', ['ls-files', '-z', '--stage'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  const files: HandoutFile[] = [];
  for (const line of tracked) {
    const [info = '', path = ''] = line.split('\t');
    // A tracked file deleted in the working tree is not part of the copy either.
    if (leftOut(path) || !existsSync(join(ROOT, path))) continue;
    const mode = info.startsWith('100755') ? 0o755 : 0o644;
    let data: Buffer = readFileSync(join(ROOT, path));
    if (path === 'package.json') data = Buffer.from(handoutPackageJson(data.toString('utf8')));
    if (path === 'tsconfig.json') data = Buffer.from(handoutTsconfig(data.toString('utf8')));
    if (path === 'README.md') data = Buffer.from(handoutReadme(data.toString('utf8'), grading));
    files.push({ path, data, mode });
  }
  return files;
}
