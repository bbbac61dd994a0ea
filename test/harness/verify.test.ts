/**
 * verify as a learner runs it: a child process, against the solutions and against lesson code
 * that hangs, does not compile, throws, or shuts Redis down in the middle of the run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probe } from '../../workshop/provision/provision.ts';
import { ROOT } from '../../workshop/target.ts';

interface Run {
  code: number | null;
  output: string;
}

function verify(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn(process.execPath, ['workshop/launch.mjs', 'verify', ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: '', WORKSHOP_REDIS_URL: '', WORKSHOP_KEY_PREFIX: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** The server verify said it used no longer answers: nothing was left running. */
async function serverGone(output: string): Promise<void> {
  const url = /^Redis: redis-server \S+ at (redis:\/\/\S+)$/m.exec(output)?.[1];
  expect(url, `verify did not say which Redis it used:\n${output}`).toBeDefined();
  await expect(probe(url!, 500)).rejects.toThrow();
}

const fixture = (name: string) => ({ WORKSHOP_TARGET: `test/harness/fixtures/${name}` });

describe.concurrent('npm run verify', { timeout: 60_000 }, () => {
  it('passes a lesson on the solutions and exits 0', async () => {
    const run = await verify(['02'], { WORKSHOP_TARGET: 'solutions' });
    expect(run.output).toMatch(/^[1-9]\d* passed, 0 failed$/m);
    expect(run.code).toBe(0);
    await serverGone(run.output);
  });

  it('names the valid steps for a step or lesson that does not exist, and guesses only a name that is not a number', async () => {
    const run = await verify(['02z']);
    expect(run.code).toBe(2);
    expect(run.output).toContain('Lesson 02 has no step 02z: its steps are 02a, 02b.');
    const seven = await verify(['7']);
    expect(seven.output).toContain('There is no lesson 07: the lessons are 01 to 06');
    expect(seven.output).not.toMatch(/did you mean/);
    expect((await verify(['02-washer-dryr'])).output).toMatch(/did you mean 02-washer-dryer\?/);
  });

  it('stops a check that hangs at its time limit, says what was still blocked, and skips the rest of the step', async () => {
    const run = await verify(['02b'], fixture('hanging'));
    expect(run.code).toBe(1);
    expect(run.output).toContain('02b › dries dishes washed before it started, in order, and returns the count: stopped at its 4 s time limit, still waiting.');
    expect(run.output).toMatch(/your dryer is still in BLPOP on dishes-typo, waiting for [\d.]+ s; nothing was pushed to dishes-typo/);
    expect(run.output).toContain('skipped: an earlier check of 02b was stopped at its time limit');
    expect(run.output.match(/stopped at its \d+ s time limit/g), 'one hung check should cost one time limit, not one per check').toHaveLength(1);
    await serverGone(run.output);
  });

  it('shows the file and line of code that does not compile', async () => {
    const run = await verify(['02b'], fixture('broken'));
    expect(run.code).toBe(1);
    expect(run.output).toContain('Your code could not be loaded, so no check could run:');
    expect(run.output).toContain('test/harness/fixtures/broken/02-washer-dryer/dryer.ts:28:14');
    expect(run.output).toMatch(/^0 passed, 1 failed$/m);
  });

  it('shows what the learner code threw and where', async () => {
    const run = await verify(['02b'], fixture('throwing'));
    expect(run.code).toBe(1);
    expect(run.output).toContain('RangeError: cannot dry salad');
    expect(run.output).toMatch(/at test\/harness\/fixtures\/throwing\/02-washer-dryer\/dryer\.ts:26:\d+/);
  });

  it('explains a Redis that stops in the middle of the run, and ends', async () => {
    const run = await verify(['02b'], fixture('shutdown'));
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/Redis stopped answering at redis:\/\/127\.0\.0\.1:\d+ during this check/);
    expect(run.output).not.toContain('Errors thrown outside any check');
  });

  it('says in one message how to get Redis when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workshop-path-'));
    symlinkSync(process.execPath, join(dir, 'node'));
    const run = await verify(['02a'], { PATH: dir, WORKSHOP_DOCKER: '0' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('The workshop needs a Redis server, and found none. Any one of these will do:');
    expect(run.output.match(/The workshop needs a Redis server/g)).toHaveLength(1);
    expect(run.output).not.toContain('✗');
  });
});
