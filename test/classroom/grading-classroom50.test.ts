/**
 * `npm start -- classroom grading classroom50`: the autograder.py and runtime block that Classroom
 * 50's wiki documents (Advanced Autograding: "Writing an autograder.py", "The result.json
 * contract", "The runtime block"). The autograder runs with python3 as the runner runs it (in the
 * student's checkout, its own file elsewhere, the runner's variables set), on a learner's copy with
 * 02a solved and 02b as shipped, and its result.json is held to the contract.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { classroom50Autograder, classroom50Files, classroom50Runtime } from '../../workshop/grading/classroom50.ts';
import { learnerCopy, sh, tempDir, type Run } from './grading-support.ts';

const steps = lessons.flatMap((lesson) => lesson.steps);
const tmp = tempDir('grading-classroom50');
afterAll(() => tmp.remove());

/** What the runner sets for an autograder (Advanced Autograding, "Contract"). */
const RUNNER = {
  CLASSROOM: 'concurrency-2026',
  ASSIGNMENT: 'workshop',
  SUBMISSION_TAG: 'submit/2026-09-14T10-00-00Z-abc1234',
  USERNAME: 'ada',
  OWNER: 'ada',
  ASSIGNMENT_TYPE: 'individual',
  COMMIT_URL: 'https://github.com/org/concurrency-2026-workshop-ada/commit/abc1234',
  RELEASE_URL: 'https://github.com/org/concurrency-2026-workshop-ada/releases/tag/submit%2F2026-09-14T10-00-00Z-abc1234',
  REVIEW_URL: 'https://github.com/org/concurrency-2026-workshop-ada/compare/000...abc1234',
};

interface TestResult {
  'test-name': string;
  passed: boolean;
  score: number;
  'max-score': number;
  message?: string;
  output?: string;
}

const STAMP = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;

/** The contract's rules (schemas/result-v1.schema.json and the wiki's table), as a list of what breaks them. */
function contractBreaches(result: Record<string, unknown>): string[] {
  const breaches: string[] = [];
  const required = ['schema', 'classroom', 'assignment', 'assignment_type', 'owner', 'submission', 'commit', 'release', 'review', 'datetime', 'score', 'max-score', 'tests'];
  const allowed = new Set([...required, 'graded_at', 'submitted_by']);
  for (const key of required) if (!(key in result)) breaches.push(`${key} is missing`);
  for (const key of Object.keys(result)) if (!allowed.has(key)) breaches.push(`${key} is not a field of the contract`);
  if (result.schema !== 'classroom50/result/v1') breaches.push('schema is not classroom50/result/v1');
  for (const key of ['classroom', 'assignment', 'owner', 'commit', 'release', 'review']) if (typeof result[key] !== 'string' || !result[key]) breaches.push(`${key} is not a non-empty string`);
  if (!['individual', 'group'].includes(result.assignment_type as string)) breaches.push('assignment_type is neither individual nor group');
  if (!/^submit\//.test(String(result.submission))) breaches.push('submission does not start with submit/');
  for (const key of ['datetime', 'graded_at']) if (key in result && !STAMP.test(String(result[key]))) breaches.push(`${key} is not YYYY-MM-DDTHH:MM:SSZ`);
  const tests = result.tests as TestResult[];
  for (const key of ['score', 'max-score']) if (!Number.isInteger(result[key]) || (result[key] as number) < 0) breaches.push(`${key} is not a whole number >= 0`);
  if ((result.score as number) > (result['max-score'] as number)) breaches.push('score is above max-score');
  if (!Array.isArray(tests)) return [...breaches, 'tests is not an array'];
  for (const test of tests) {
    if (typeof test['test-name'] !== 'string' || !test['test-name']) breaches.push('a test has no test-name');
    if (typeof test.passed !== 'boolean') breaches.push(`${test['test-name']}: passed is not a boolean`);
    if (!Number.isInteger(test.score) || !Number.isInteger(test['max-score']) || test.score < 0 || test.score > test['max-score']) breaches.push(`${test['test-name']}: score is not a whole number from 0 to max-score`);
  }
  if (tests.reduce((sum, test) => sum + test.score, 0) !== result.score) breaches.push('score is not the sum of the tests\' scores');
  if (tests.reduce((sum, test) => sum + test['max-score'], 0) !== result['max-score']) breaches.push('max-score is not the sum of the tests\' max-scores');
  return breaches;
}

describe('classroom grading classroom50', () => {
  it('writes autograder.py and runtime.json, and the runtime block asks for Node 26 and redis-server from apt', () => {
    expect(Object.keys(classroom50Files())).toEqual(['autograder.py', 'runtime.json']);
    const runtime = JSON.parse(classroom50Runtime()) as Record<string, unknown>;
    expect(runtime).toEqual({ 'runs-on': 'ubuntu-latest', node: '26', apt: ['redis-server'] });
  });

  it('autograder.py is Python 3 that compiles, imports only the standard library, and lists every step with its points', async () => {
    const file = join(tmp.path, 'check', 'autograder.py');
    await sh(`mkdir -p ${JSON.stringify(join(tmp.path, 'check'))}`, tmp.path);
    writeFileSync(file, classroom50Autograder());
    const check = await sh(
      `python3 - ${JSON.stringify(file)} <<'EOF'
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
steps = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "STEPS")
print(json.dumps({"outside": sorted(names - sys.stdlib_module_names), "steps": steps}))
EOF`,
      tmp.path,
    );
    expect(check.code, check.output).toBe(0);
    const { outside, steps: listed } = JSON.parse(check.output) as { outside: string[]; steps: Array<[string, string, number, number]> };
    expect(outside, 'autograder.py must run on a bare python3').toEqual([]);
    const scale = { easy: 1, medium: 2, hard: 3 };
    expect(listed.map(([id, title, points]) => [id, title, points])).toEqual(steps.map((step) => [step.id, step.title, scale[step.difficulty]]));
    expect(classroom50Autograder().split('\n')[0]).toMatch(/^# Generated by `npm start -- classroom grading classroom50`/);
  });

  describe('run as Classroom 50\'s runner runs it, on a learner\'s copy with 02a solved and 02b as shipped', () => {
    let copy: string;
    let run: Run;
    let result: Record<string, unknown>;
    beforeAll(async () => {
      const bundle = join(tmp.path, 'bundle');
      await sh(`mkdir -p ${JSON.stringify(bundle)}`, tmp.path);
      writeFileSync(join(bundle, 'autograder.py'), classroom50Autograder());
      copy = learnerCopy(join(tmp.path, 'checkout'), ['02a']);
      run = await sh(`python3 ${JSON.stringify(join(bundle, 'autograder.py'))}`, copy, { ...RUNNER, GRADING_STEPS: '02a 02b', CI: 'true' });
      result = existsSync(join(copy, 'result.json')) ? (JSON.parse(readFileSync(join(copy, 'result.json'), 'utf8')) as Record<string, unknown>) : {};
    }, 120_000);

    it('exits 0, having graded, and writes ./result.json in the shape of classroom50/result/v1', () => {
      expect(run.code, run.output).toBe(0);
      expect(contractBreaches(result)).toEqual([]);
      expect(result).toMatchObject({ classroom: RUNNER.CLASSROOM, assignment: RUNNER.ASSIGNMENT, owner: 'ada', submission: RUNNER.SUBMISSION_TAG, review: RUNNER.REVIEW_URL });
    });

    it('scores 02a\'s point, not 02b\'s, and says what failed first in 02b in the checks\' words', () => {
      const tests = result.tests as TestResult[];
      expect(tests.map((test) => [test['test-name'], test.passed, test.score, test['max-score']])).toEqual([
        ['02a wash(): RPUSH every dish, then quit', true, 1, 1],
        ['02b dry(): BLPOP until quit, one dish at a time', false, 0, 1],
      ]);
      expect(result).toMatchObject({ score: 1, 'max-score': 2 });
      expect(tests[1]!.message).toBe('TODO: dry() is not written yet (it should stop on "quit")');
      expect(tests[1]!.output).toMatch(/^x .+\n {4}TODO: dry\(\)/);
      // The job log keeps each step's report as the learner reads it.
      expect(run.output).toMatch(/::group::02b[\s\S]*\d+ passed, [1-9]\d* failed[\s\S]*::endgroup::/);
      expect(run.output).toContain('Total: 1 of 2 points');
    });

    it('refuses, with a non-zero exit and no result.json, when GRADING_STEPS names no step', async () => {
      const none = await sh(`rm -f result.json && python3 ${JSON.stringify(join(tmp.path, 'bundle', 'autograder.py'))}`, copy, { GRADING_STEPS: '99z' });
      expect(none.code).toBe(2);
      expect(none.output).toContain('GRADING_STEPS names no step of the workshop: 99z');
      expect(existsSync(join(copy, 'result.json'))).toBe(false);
    });
  });
});
