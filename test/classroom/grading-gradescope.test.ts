/**
 * `npm start -- classroom grading gradescope`: the zip is read back with Python's zipfile and
 * laid out as Gradescope lays it out (/autograder/source, submission, results, here under a
 * temporary AUTOGRADER_ROOT), then run_autograder grades a submission with 02a solved and 02b as
 * shipped, and results.json is held to Gradescope's format.
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/
 */
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';
import { LEFT_OUT } from '../../workshop/grading/handout-files.ts';
import { sh, tempDir, type Run } from './grading-support.ts';

const steps = lessons.flatMap((lesson) => lesson.steps);
const tmp = tempDir('grading-gradescope');
afterAll(() => tmp.remove());
const zipFile = join(tmp.path, 'gradescope-autograder.zip');
const root = join(tmp.path, 'autograder');

interface Entry {
  name: string;
  mode: number;
}

let written: Run;
let again: Run;
let entries: Entry[];

beforeAll(async () => {
  written = await sh(`node workshop/launch.mjs start classroom grading gradescope --out ${JSON.stringify(zipFile)}`, ROOT);
  again = await sh(`node workshop/launch.mjs start classroom grading gradescope --out ${JSON.stringify(zipFile)}`, ROOT);
  // Python's zipfile reads it back (testzip checks every entry's CRC), then unpacks it, modes and all, as Gradescope does.
  const read = await sh(
    `python3 - ${JSON.stringify(zipFile)} ${JSON.stringify(join(root, 'source'))} <<'EOF'
import json, os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    assert archive.testzip() is None, "a damaged entry"
    for info in archive.infolist():
        path = archive.extract(info, sys.argv[2])
        os.chmod(path, (info.external_attr >> 16) & 0o777)
    print(json.dumps([{"name": i.filename, "mode": (i.external_attr >> 16) & 0o777} for i in archive.infolist()]))
EOF`,
    tmp.path,
  );
  if (read.code !== 0) throw new Error(read.output);
  entries = JSON.parse(read.output) as Entry[];
}, 60_000);

describe('classroom grading gradescope', () => {
  it('writes the zip, and leaves the same zip alone the second time', () => {
    expect(written.code, written.output).toBe(0);
    expect(written.output).toContain(`Wrote ${zipFile}.`);
    expect(again.output).toContain(`${zipFile} is up to date.`);
  });

  it('holds setup.sh and run_autograder at its root, executable, and the workshop beside them without what a learner may not see', () => {
    const names = entries.map((entry) => entry.name);
    expect(names.slice(0, 2)).toEqual(['setup.sh', 'run_autograder']);
    for (const entry of entries.slice(0, 2)) expect(entry.mode, entry.name).toBe(0o755);
    for (const needed of ['package.json', 'package-lock.json', 'vitest.config.ts', 'workshop/launch.mjs', 'workshop/grading/gradescope.ts', 'test/02-washer-dryer.test.ts', 'lessons/02-washer-dryer/washer.ts']) {
      expect(names).toContain(needed);
    }
    expect(names.filter((name) => LEFT_OUT.some((prefix) => name.startsWith(prefix)))).toEqual([]);
  });

  it('setup.sh is bash that installs Node 26 from the npm registry, redis-server from apt, then the packages with npm ci', async () => {
    const setup = readFileSync(join(root, 'source', 'setup.sh'), 'utf8');
    expect((await sh(`bash -n ${JSON.stringify(join(root, 'source', 'setup.sh'))}`, tmp.path)).code).toBe(0);
    expect(setup).toMatch(/npm install --prefix "\$ROOT\/node" .*node@26/);
    expect(setup).toMatch(/apt-get install .*redis-server/);
    expect(setup).toMatch(/\nnpm ci\b/);
    // Lesson 06's oldest Redis, from the manifest.
    expect(setup).toContain('"6.2"');
  });

  describe('run_autograder, on a submission with 02a solved and 02b as shipped', () => {
    let run: Run;
    let results: { score: number; output: string; tests: Array<Record<string, unknown>> };
    beforeAll(async () => {
      symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(root, 'source', 'node_modules'));
      // The learner's repository as Gradescope downloads it: their lessons/, 02a's file solved.
      const submission = join(root, 'submission');
      mkdirSync(submission, { recursive: true });
      cpSync(join(ROOT, 'lessons'), join(submission, 'lessons'), { recursive: true });
      cpSync(join(ROOT, 'solutions', '02-washer-dryer', 'washer.ts'), join(submission, 'lessons', '02-washer-dryer', 'washer.ts'));
      // Gradescope copies run_autograder next to source/ and runs it from /autograder.
      cpSync(join(root, 'source', 'run_autograder'), join(root, 'run_autograder'));
      run = await sh('./run_autograder', root, { AUTOGRADER_ROOT: root, GRADING_STEPS: '02a 02b' });
      const file = join(root, 'results', 'results.json');
      results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { score: -1, output: '', tests: [] };
    }, 120_000);

    it('exits 0 and writes results/results.json', () => {
      expect(run.code, run.output).toBe(0);
      expect(results.tests).toHaveLength(2);
    });

    it('has a test per step with name, score, max_score, status and the failures as the learner reads them', () => {
      const [a, b] = results.tests;
      expect(a).toMatchObject({ name: '02a wash(): RPUSH every dish, then quit', score: 1, max_score: 1, status: 'passed', visibility: 'visible' });
      expect(b).toMatchObject({ name: '02b dry(): BLPOP until quit, one dish at a time', score: 0, max_score: 1, status: 'failed', visibility: 'visible' });
      expect(b!.output).toMatch(/^0 of \d+ checks passed\.\n\n✗ .+\n {4}TODO: dry\(\) is not written yet/);
      expect(b!.output).toContain('↳ the same as above');
      expect(b!.output).toContain(`Hint for 02b: ${steps.find((step) => step.id === '02b')!.hint}`);
    });

    it('totals the score at the top, with the total in its output', () => {
      expect(results.score).toBe(1);
      expect(results.output).toMatch(/^Total: 1 of 2 points \(1 of 2 steps passed\)\./);
    });

    it('graded the submission\'s lessons/, not the starters it shipped with', () => {
      expect(readFileSync(join(root, 'source', 'lessons', '02-washer-dryer', 'washer.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'solutions', '02-washer-dryer', 'washer.ts'), 'utf8'));
      expect(run.output).toMatch(/== 02a[\s\S]*\d+ passed, 0 failed[\s\S]*== 02b[\s\S]*\d+ passed, [1-9]\d* failed/);
    });
  });
});
