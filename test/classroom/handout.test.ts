/**
 * `npm start -- classroom handout <folder> --grading actions`: a git repository for learners.
 * No solution file is in it, nor any line of one; its scripts point at nothing it left out; and
 * in it the runner works as a learner meets it: verify fails a starter in the learner's terms,
 * diff says the solutions are not there, reset restores from the copy's own history.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';
import { actionsWorkflow } from '../../workshop/grading/actions.ts';
import { sh, tempDir, type Run } from './grading-support.ts';

const tmp = tempDir('handout');
afterAll(() => tmp.remove());
const handout = join(tmp.path, 'for-learners');

/**
 * Lines of the solutions that are the workshop's own idiom, not an answer: its runner, checks and
 * harness use them too (session.ts, file-watch.ts, provision.ts, classroom/http.ts, trace.ts,
 * lesson-06-checks.ts ...). Listed one by one, so that any other line found in the copy fails.
 */
const IDIOMS = new Set([
  'let timer: NodeJS.Timeout | undefined;',
  'return new Promise((resolve, reject) => {',
  'server.closeAllConnections();',
  'const address = server.address();',
  'async stop(): Promise<void> {',
  'for (let i = 0; i < text.length; i++) {',
  "req.on('error', reject);",
  'const chunks: Buffer[] = [];',
  'size += chunk.length;',
  'timer = setTimeout(() => {',
  "req.on('error', () => {});",
]);

/** A line that gives nothing away: blank, braces, imports, comments, 20 characters or fewer. */
function trivial(line: string): boolean {
  return line.length <= 20 || /^(import\b|export \{|[{}()[\];,]+$|\/\/|\/\*|\*)/.test(line);
}

function files(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.name === '.git' || entry.name === 'node_modules') return [];
    return entry.isDirectory() ? files(dir, path) : [path];
  });
}

/**
 * The solution lines that carry an answer, each with the file it comes from. A line the starters
 * hold already (of any lesson: 05's `pause` helper is given in 06's starters) answers nothing.
 */
function answerLines(): Map<string, string> {
  const answers = new Map<string, string>();
  const starters = new Set(files(join(ROOT, 'lessons')).flatMap((file) => readFileSync(join(ROOT, 'lessons', file), 'utf8').split('\n').map((line) => line.trim())));
  for (const lesson of lessons) {
    for (const file of files(join(ROOT, 'solutions', lesson.slug))) {
      for (const line of readFileSync(join(ROOT, 'solutions', lesson.slug, file), 'utf8').split('\n').map((text) => text.trim())) {
        if (!trivial(line) && !starters.has(line) && !IDIOMS.has(line)) answers.set(line, `solutions/${lesson.slug}/${file}`);
      }
    }
  }
  return answers;
}

/** Every place in `dir` that holds a line of a solution. */
function leaks(dir: string, answers: Map<string, string>): string[] {
  return files(dir).flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (answers.has(line.trim()) ? [`${file}:${i + 1} holds a line of ${answers.get(line.trim())}: ${line.trim()}`] : [])),
  );
}

let made: Run;
const run = (command: string) => sh(command, handout, { CI: 'true' });

beforeAll(async () => {
  made = await sh(`node workshop/launch.mjs start classroom handout ${JSON.stringify(handout)} --grading actions`, ROOT);
}, 60_000);

describe('classroom handout', () => {
  it('writes a git repository with one commit and nothing left uncommitted', async () => {
    expect(made.code, made.output).toBe(0);
    expect(made.output).toContain(`Wrote ${handout}: a git repository with one commit`);
    expect((await run('git log --oneline | wc -l')).output.trim()).toBe('1');
    expect((await run('git status --porcelain')).output).toBe('');
  });

  it('holds no solution file, alternative, mutant or harness fixture', () => {
    const copied = files(handout);
    for (const folder of ['solutions/', 'test/alternatives/', 'test/mutants/', 'test/harness/', 'slides/', 'bench/']) {
      expect(copied.filter((file) => file.startsWith(folder)), folder).toEqual([]);
    }
    expect(copied).toContain('lessons/02-washer-dryer/washer.ts');
    expect(readFileSync(join(handout, 'lessons/02-washer-dryer/washer.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'lessons/02-washer-dryer/washer.ts'), 'utf8'));
  });

  it('holds no line of a solution anywhere (the hints stay)', () => {
    const answers = answerLines();
    expect(answers.size).toBeGreaterThan(300);
    expect(leaks(handout, answers)).toEqual([]);
    expect(readFileSync(join(handout, 'workshop/manifest.ts'), 'utf8')).toContain('hint:');
  });

  it('the search for leaks finds a solution line planted in a copy', () => {
    const planted = join(tmp.path, 'planted');
    const line = readFileSync(join(ROOT, 'solutions/05-client-unblock/worker-pool.ts'), 'utf8').split('\n').find((text) => text.includes("client('ID')"))!;
    expect(line).toBeDefined();
    mkdirSync(planted);
    writeFileSync(join(planted, 'notes.md'), `Remember:\n    ${line.trim()}\n`);
    expect(leaks(planted, answerLines())).toEqual([`notes.md:2 holds a line of solutions/05-client-unblock/worker-pool.ts: ${line.trim()}`]);
  });

  it('includes the chosen grading, and a README without the instructors\' part, the solutions or the slides', () => {
    expect(readFileSync(join(handout, '.github/workflows/grading.yml'), 'utf8')).toBe(actionsWorkflow());
    const readme = readFileSync(join(handout, 'README.md'), 'utf8');
    expect(readme).toContain('## Grading');
    expect(readme).toContain('.github/workflows/grading.yml');
    expect(readme).not.toMatch(/solutions\/|npm run slides|npm run bench|npm run check|## For instructors|## For maintainers/);
  });

  it('has scripts and a tsconfig that name only what is in the copy', () => {
    const { scripts } = JSON.parse(readFileSync(join(handout, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(scripts).sort()).toEqual(['classroom', 'doctor', 'lint', 'preinstall', 'soak', 'start', 'test', 'typecheck', 'verify', 'watch']);
    expect(scripts.test).toBe('npm run lint && npm run typecheck');
    for (const [name, command] of Object.entries(scripts)) {
      expect(command, name).not.toMatch(/solutions/);
      for (const path of command.split(/\s+/).filter((word) => /^[\w.]+\//.test(word))) expect(existsSync(join(handout, path)), `${name}: ${path}`).toBe(true);
      for (const called of command.matchAll(/npm run (\S+)/g)) expect(scripts, `${name} runs ${called[1]}`).toHaveProperty(called[1]!);
    }
    const tsconfig = JSON.parse(readFileSync(join(handout, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[]; exclude?: string[] };
    for (const entry of tsconfig.include.filter((item) => !item.includes('*'))) expect(existsSync(join(handout, entry)), entry).toBe(true);
    expect(tsconfig.exclude).toBeUndefined();
  });

  describe('in the copy, with node_modules linked in', () => {
    beforeAll(() => symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(handout, 'node_modules')));

    it('npm run verify -- 02a fails the starter in the learner\'s terms', { timeout: 60_000 }, async () => {
      const verify = await run('npm run verify -- 02a');
      expect(verify.code, verify.output).toBe(1);
      expect(verify.output).toContain('TODO: wash() is not written yet (lessons/02-washer-dryer/washer.ts)');
      expect(verify.output).toMatch(/Hint for 02a: /);
      expect(verify.output).toMatch(/0 passed, [1-9]\d* failed/);
    });

    it('npm start -- diff says the solutions are not in this copy, with or without --force', async () => {
      for (const command of ['npm start -- diff 02a', 'npm start -- diff 02a --force']) {
        const diff = await run(command);
        expect(diff.code, command).toBe(1);
        expect(diff.output).toContain('The solutions are not in this copy of the workshop');
        expect(diff.output).not.toMatch(/ENOENT|at .+\.ts:\d+/);
      }
    });

    it('npm start -- reset puts a step back from the copy\'s own history', async () => {
      const file = join(handout, 'lessons/02-washer-dryer/washer.ts');
      const shipped = readFileSync(file, 'utf8');
      writeFileSync(file, `${shipped}// mine\n`);
      const reset = await run('npm start -- reset 02a --yes');
      expect(reset.code, reset.output).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(shipped);
    });

    it('type-checks: nothing in it imports what was left out', { timeout: 120_000 }, async () => {
      const check = await run('npx tsc -p tsconfig.json');
      expect(check.code, check.output).toBe(0);
    });
  });

  it('with --grading gradescope, the zip goes beside the copy, not into it; a folder that is not empty is refused', async () => {
    const other = join(tmp.path, 'graded-on-gradescope');
    const made = await sh(`node workshop/launch.mjs start classroom handout ${JSON.stringify(other)} --grading gradescope`, ROOT);
    expect(made.code, made.output).toBe(0);
    expect(existsSync(`${other}-gradescope-autograder.zip`)).toBe(true);
    expect(files(other).filter((file) => file.endsWith('.zip'))).toEqual([]);
    const again = await sh(`node workshop/launch.mjs start classroom handout ${JSON.stringify(other)}`, ROOT);
    expect(again.code).toBe(1);
    expect(again.output).toContain('is there already and not empty; nothing was written');
  }, 60_000);
});
