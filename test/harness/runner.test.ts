/**
 * verify as the runner uses it: progress recorded, what comes next, `--json` in Exercism's shape,
 * `--repeat` calling a sometimes-failing step a race, and Ctrl-C stopping everything it started.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExercismResults } from '../../workshop/checks/results-json.ts';
import { descendants, launch, ownRedis, survivors } from './cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-runner-'));
let count = 0;
const fresh = (name: string) => join(scratch, `${++count}-${name}`);
const fixture = (name: string) => `test/harness/fixtures/${name}`;

describe.concurrent('verify and the runner', { timeout: 60_000 }, () => {
  it('records a passed step in the progress file, says so, and shows what comes next', async () => {
    const progress = fresh('progress.json');
    const run = launch(['verify', '02a'], { WORKSHOP_TARGET: 'solutions', WORKSHOP_PROGRESS: progress });
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain('✓ 02a passed.');
    expect(run.output()).toMatch(/^Next: 02b /m);
    expect(run.output()).toContain('npm start -- diff 02a');
    const saved = JSON.parse(readFileSync(progress, 'utf8'));
    expect(saved.about).toMatch(/Do not edit it by hand/);
    expect(saved.steps['02a']).toMatchObject({ status: 'passed' });
    expect(saved.steps['02a'].passed, 'every check of the step passed').toBe(saved.steps['02a'].checks);
    expect(saved.steps['02a'].checks).toBeGreaterThan(0);
    expect(saved.steps['02a'].firstPassedAt).toEqual(saved.steps['02a'].at);
  });

  it('does not touch your progress when it checks the solutions', async () => {
    const run = launch(['verify', '02a'], { WORKSHOP_TARGET: 'solutions', WORKSHOP_PROGRESS: '' });
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).not.toContain('Next:');
  });

  it('writes Exercism results: pass, with a name and a task per check', async () => {
    const file = fresh('results.json');
    const run = launch(['verify', '02a', '--json', file], { WORKSHOP_TARGET: 'solutions' });
    expect(await run.exited, run.output()).toBe(0);
    const results = JSON.parse(readFileSync(file, 'utf8')) as ExercismResults;
    expect(results).toMatchObject({ version: 3, status: 'pass' });
    // One entry per check the run counted.
    const counted = Number(/^(\d+) passed, 0 failed$/m.exec(run.output())?.[1] ?? 0);
    expect(counted).toBeGreaterThan(0);
    expect(results.tests).toHaveLength(counted);
    for (const test of results.tests) expect(test).toMatchObject({ name: expect.stringMatching(/^02a /), status: 'pass', message: null, task_id: 1 });
  });

  it('writes Exercism results: fail, with the teaching message, for code that throws', async () => {
    const run = launch(['verify', '02b', '--json', '-'], { WORKSHOP_TARGET: fixture('throwing') });
    expect(await run.exited).toBe(1);
    const results = JSON.parse(run.output()) as ExercismResults;
    expect(results.status).toBe('fail');
    const failed = results.tests.filter((test) => test.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.message).toContain('RangeError: cannot dry salad');
    expect(results.tests.every((test) => test.task_id === 2)).toBe(true);
  });

  it('writes Exercism results: error, with file and line, for code that does not compile', async () => {
    const file = fresh('results.json');
    const progress = fresh('progress.json');
    const run = launch(['verify', '02b', '--json', file], { WORKSHOP_TARGET: fixture('broken'), WORKSHOP_PROGRESS: progress });
    expect(await run.exited).toBe(1);
    const results = JSON.parse(readFileSync(file, 'utf8')) as ExercismResults;
    expect(results.status).toBe('error');
    expect(results.message).toContain('test/harness/fixtures/broken/02-washer-dryer/dryer.ts:28:14');
    expect(JSON.parse(readFileSync(progress, 'utf8')).steps['02b'].status).toBe('error');
  });

  it('--repeat calls a step that passes only in some runs a race', async () => {
    const counter = fresh('counter');
    const run = launch(['verify', '02a', '--repeat', '4'], { WORKSHOP_TARGET: fixture('flaky'), WORKSHOP_FLAKY_COUNTER: counter });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('02a passed 2 of 4: this looks like a race');
    expect(run.output()).toMatch(/✗ .+: failed in 2 of 4 runs/);
    expect(readFileSync(counter, 'utf8'), 'the four runs should each have loaded the code afresh').toBe('4');
  });

  it('--repeat says so when every run passes', async () => {
    const run = launch(['verify', '02a', '--repeat', '3'], { WORKSHOP_TARGET: 'solutions' });
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain('02a passed 3 of 3');
    expect(run.output()).toContain('3 of 3 runs passed every check');
  });

  it('names a child process the learner\'s code left running, and ends it', async () => {
    const run = launch(['verify', '02a'], { WORKSHOP_TARGET: fixture('orphan') });
    const [, pid] = await run.waitFor(/Child process (\d+) was still running: \S*node -e setInterval\(\(\) => \{\}, 1000\) \/\/ forgotten helper/);
    expect(await run.exited).toBe(1);
    expect(await survivors([Number(pid)]), 'the forgotten helper process is still running').toEqual([]);
  });

  it('refuses a --repeat that is not a whole number, and says why', async () => {
    const run = launch(['verify', '02a', '--repeat', 'ten'], {});
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('Expected --repeat to be a whole number from 1 to 1000, got `ten`');
  });
});

describe('Ctrl-C in the middle of a check', { timeout: 60_000 }, () => {
  const redis = ownRedis();

  it('stops the test processes, records nothing and leaves the progress file whole', async () => {
    const progress = fresh('progress.json');
    const before = { about: 'x', version: 1, steps: { '02a': { status: 'passed', passed: 5, checks: 5, at: '2026-01-01T00:00:00.000Z' } } };
    writeFileSync(progress, JSON.stringify(before));
    const run = launch(['verify', '02b'], { WORKSHOP_TARGET: fixture('hanging'), WORKSHOP_PROGRESS: progress, REDIS_URL: redis.url });
    // The hanging dryer blocks in BLPOP on the server we gave it: that is the moment to press Ctrl-C.
    await redis.blockedInBlpop();
    const started = descendants(run.child.pid!);
    expect(started.length, 'verify should run its checks in child processes').toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output()).toContain('Stopped (SIGINT); nothing was recorded.');
    expect(await survivors(started), 'processes verify started are still running').toEqual([]);
    expect(JSON.parse(readFileSync(progress, 'utf8'))).toEqual(before);
    expect(existsSync(`${progress}.${run.child.pid}.tmp`)).toBe(false);
  });
});
