/**
 * `npm start` in a real terminal: tmux runs the menu in a pseudo-terminal, keys go in with
 * send-keys, and the screen is read back with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedRef } from '../../workshop/runner/step-files.ts';
import { ROOT } from '../../workshop/target.ts';
import { descendants, ownRedis, scratchTarget, survivors } from './cli.ts';
import { exitCode, open, press, shows, socket, tmux } from './tmux.ts';

const scratch = scratchTarget('solutions', ['01-bounded-queue', '02-washer-dryer']);

beforeAll(() => {
  if (spawnSync('tmux', ['-V']).error) throw new Error('These checks drive the menu in tmux: install it (Debian/Ubuntu: apt-get install tmux).');
  const at = '2026-01-01T00:00:00.000Z';
  const passed = { status: 'passed', passed: 1, checks: 1, at, firstPassedAt: at };
  writeFileSync(scratch.progress, JSON.stringify({ about: '', version: 1, steps: { '01a': passed, '01b': passed, '01c': passed } }));
  open('menu', { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress });
});

afterAll(() => {
  for (const session of ['menu', 'hang', 'small']) spawnSync('tmux', ['-L', socket(session), 'kill-server']);
  scratch.remove();
});

describe('the menu in a terminal', { timeout: 60_000 }, () => {
  it('opens on the step to do now, with the progress so far', async () => {
    const text = await shows(/Now: 02a/);
    expect(text).toMatch(/\[#+\.+\] 3\/\d+ steps done/);
    expect(text).toMatch(/^\s+> · 02a/m);
  });

  it('moves with the arrow keys and shows a hint with h', async () => {
    press('Down');
    await shows(/^\s+> · 02b/m);
    press('h');
    await shows(/Hint for 02b: Loop on `await conn.blpop/);
    press('Up');
    await shows(/^\s+> · 02a/m);
  });

  it('checks a step with Enter and marks it done', async () => {
    press('Enter');
    await shows(/[1-9]\d* passed, 0 failed[\s\S]*Press any key/);
    press('Space');
    const text = await shows(/Now: 02b/);
    expect(text).toMatch(/^\s+> ✓ 02a/m);
    expect(JSON.parse(readFileSync(scratch.progress, 'utf8')).steps['02a'].status).toBe('passed');
  });

  it('compares a passed step with the solution at once, and asks before showing an unsolved one', async () => {
    press('d');
    await shows(/02-washer-dryer\/washer\.ts: the same as the solution[\s\S]*Press any key/);
    press('Space');
    await shows(/Now: 02b/);
    press('Down', 'd');
    await shows(/02b has not passed yet: seeing the solution now gives the answer away\. Show it anyway\? \[y\/N\]/);
    press('n');
    await shows(/^\s+> · 02b/m);
  });

  it('opens the lesson\'s README with r, and comes back with q', async () => {
    press('r');
    await shows(/# Lesson 02 · A Redis list as a queue/);
    press('q');
    await shows(/^\s+> · 02b/m);
  });

  it('resets a step after a yes, keeping the old file', async () => {
    press('x');
    await shows(/Reset 02b\? dryer\.ts go back to the starter; your versions are saved first\. \[y\/N\]/);
    press('y');
    const text = await shows(/02b is back as shipped\. Your files were saved in (\S+)\//);
    const backup = /saved in (\S+)\//.exec(text)![1]!;
    const dryer = join(scratch.dir, '02-washer-dryer', 'dryer.ts');
    expect(readFileSync(dryer, 'utf8')).toBe(execFileSync('git', ['show', `${shippedRef()}:lessons/02-washer-dryer/dryer.ts`], { cwd: ROOT, encoding: 'utf8' }));
    expect(readFileSync(join(ROOT, backup, scratch.target, '02-washer-dryer', 'dryer.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'solutions', '02-washer-dryer', 'dryer.ts'), 'utf8'));
  });

  it('quits with q and leaves the terminal to the shell', async () => {
    press('q');
    expect(await exitCode('menu')).toBe(0);
  });
});

describe('the menu in a terminal of 80 x 24', { timeout: 60_000 }, () => {
  it('fits: nothing wraps, the top stays, and the lesson under the cursor shows its steps', async () => {
    open('small', { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress }, 80, 24);
    const fits = (text: string) => {
      const lines = text.replace(/\n+$/, '').split('\n');
      expect(lines.length, text).toBeLessThanOrEqual(24);
      expect(lines[0]).toMatch(/^Concurrency with threads and Redis/);
      // Joined back, a wrapped line would be longer than the terminal.
      for (const line of tmux('small', 'capture-pane', '-p', '-J').split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
      expect(text).toMatch(/q quit/);
    };
    fits(await shows(/^\s+> . 02b/m, 20_000, 'small'));
    tmux('small', 'send-keys', 'Down');
    const lesson03 = await shows(/^\s+> · 03a/m, 10_000, 'small');
    fits(lesson03);
    expect(lesson03).toMatch(/^\s+· 03b/m);
    expect(lesson03).not.toMatch(/^\s+. 02a/m);
    tmux('small', 'send-keys', 'h');
    fits(await shows(/Hint for 03a/, 10_000, 'small'));
    tmux('small', 'send-keys', 'q');
  });
});

describe('Ctrl-C in the menu while a check runs', { timeout: 60_000 }, () => {
  const redis = ownRedis();

  it('stops the check and everything it started, records nothing, and leaves the menu', async () => {
    const progress = join(scratch.dir, 'hanging-progress.json');
    const at = '2026-01-01T00:00:00.000Z';
    const passed = { status: 'passed', passed: 1, checks: 1, at, firstPassedAt: at };
    const before = JSON.stringify({ about: '', version: 1, steps: { '01a': passed, '01b': passed, '01c': passed, '02a': passed } });
    writeFileSync(progress, before);
    open('hang', { WORKSHOP_TARGET: 'test/harness/fixtures/hanging', WORKSHOP_PROGRESS: progress, REDIS_URL: redis.url });
    await shows(/Now: 02b/, 20_000, 'hang');
    tmux('hang', 'send-keys', 'Enter');
    await redis.blockedInBlpop();
    // While it hangs, the live line names the check and its time, and the time moves on.
    const running = /02b · 0\/\d+ · dries dishes washed before it started[^\n]*… (\d+\.\d) s/;
    const first = running.exec(await shows(running, 20_000, 'hang'))![1]!;
    await shows(new RegExp(`02b · 0/\\d+ · dries dishes[^\\n]*… (?!${first.replace('.', '\\.')} s)\\d+\\.\\d s`), 20_000, 'hang');
    // The pane runs a shell, the shell runs npm start, and npm start runs the checks.
    const pane = Number(tmux('hang', 'display-message', '-p', '#{pane_pid}').trim());
    const menu = descendants(pane)[0]!;
    const started = descendants(menu);
    expect(started.length).toBeGreaterThan(0);
    tmux('hang', 'send-keys', 'C-c');
    await shows(/Stopped; nothing was recorded\.[\s\S]*Press any key/, 20_000, 'hang');
    expect(await survivors(started)).toEqual([]);
    expect(readFileSync(progress, 'utf8')).toBe(before);
    tmux('hang', 'send-keys', 'C-c');
    expect(await exitCode('hang')).toBe(130);
  });
});
