/**
 * `npm start` without a terminal, and its commands: the overview, hints, the solution diff and
 * reset, as a script or a CI job would run them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { shippedRef } from '../../workshop/runner/step-files.ts';
import { ROOT } from '../../workshop/target.ts';
import { launch, scratchTarget } from './cli.ts';

const scratch = scratchTarget('solutions', ['02-washer-dryer']);
const env = { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress };
const dryer = join(scratch.dir, '02-washer-dryer', 'dryer.ts');
afterAll(() => scratch.remove());

async function start(...args: string[]) {
  const run = launch(['start', ...args], env);
  return { code: await run.exited, output: run.output() };
}

describe('npm start without a terminal', { timeout: 30_000 }, () => {
  it('prints the overview with every step and the progress, and exits', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    writeFileSync(scratch.progress, JSON.stringify({ about: '', version: 1, steps: { '01a': { status: 'passed', passed: 4, checks: 4, at }, '01b': { status: 'failed', passed: 2, checks: 6, at } } }));
    const { code, output } = await start();
    expect(code).toBe(0);
    const steps = lessons.flatMap((lesson) => lesson.steps);
    for (const step of steps) expect(output).toContain(`${step.id}  ${step.title}`);
    expect(output).toMatch(new RegExp(`\\] 1/${steps.length} steps done`));
    expect(output).toContain('Now: 01b');
    expect(output).toMatch(/✓ 01a/);
    expect(output).toMatch(/✗ 01b .*2 of 6 checks passed/);
  });

  it('gives a step\'s hint, the steps a lesson has for one it has not, and the command meant for a typo', async () => {
    expect((await start('hint', '03b')).output).toContain(`Hint for 03b: ${lessons[2]!.steps[1]!.hint}`);
    const wrong = await start('hint', '03x');
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain('Lesson 03 has no step 03x: its steps are 03a, 03b.');
    const typo = await start('hnt', '03b');
    expect(typo.code).toBe(2);
    expect(typo.output).toContain('Did you mean `npm start -- hint 03b`?');
  });

  it('keeps the solution back until the step has passed, unless asked with --force', async () => {
    writeFileSync(dryer, readFileSync(dryer, 'utf8').replace('await conn.blpop(queue, 0)', 'await conn.blpop(queue, 1000)'));
    const refused = await start('diff', '02b');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('02b has not passed yet');
    const forced = await start('diff', '02b', '--force');
    expect(forced.code).toBe(0);
    expect(forced.output).toMatch(/^-.*blpop\(queue, 1000\)/m);
    expect(forced.output).toMatch(/^\+.*blpop\(queue, 0\)/m);
  });

  it('resets a step only with --yes, and keeps the file it replaces', async () => {
    const mine = readFileSync(dryer, 'utf8');
    const asked = await start('reset', '02b');
    expect(asked.code).toBe(1);
    expect(asked.output).toContain('Nothing was changed: add --yes');
    expect(readFileSync(dryer, 'utf8')).toBe(mine);
    const done = await start('reset', '02b', '--yes');
    expect(done.code, done.output).toBe(0);
    const backup = /Your previous files are in (\S+)\/\./.exec(done.output)![1]!;
    expect(readFileSync(dryer, 'utf8')).toBe(execFileSync('git', ['show', `${shippedRef()}:lessons/02-washer-dryer/dryer.ts`], { cwd: ROOT, encoding: 'utf8' }));
    expect(readFileSync(join(ROOT, backup, scratch.target, '02-washer-dryer', 'dryer.ts'), 'utf8')).toBe(mine);
  });
});

describe('the progress file', { timeout: 30_000 }, () => {
  it('is put aside, not lost, when someone has edited it into nonsense', async () => {
    writeFileSync(scratch.progress, '{ "version": 1, "steps": { oops');
    const { code, output } = await start();
    expect(code).toBe(0);
    expect(output).toContain('could not be read; it was moved to');
    expect(readFileSync(`${scratch.progress}.broken`, 'utf8')).toBe('{ "version": 1, "steps": { oops');
  });
});
