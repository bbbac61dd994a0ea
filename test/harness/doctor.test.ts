/**
 * `npm run doctor` on this machine, and on one without Redis: each finding on a line, each
 * problem with its fix, and an exit code a script can use.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOW_TO_GET_REDIS } from '../../workshop/provision/provision.ts';
import { lessons } from '../../workshop/manifest.ts';
import { launch } from './cli.ts';

describe.concurrent('npm run doctor', { timeout: 30_000 }, () => {
  it('finds Node, worker threads, a Redis with every lesson\'s commands, and git', async () => {
    const run = launch(['doctor'], {});
    await run.exited;
    const output = run.output();
    expect(output).toMatch(/^✓ Node\.js\s+\d+\.\d+\.\d+ \(the workshop runs on 26 LTS and later, 24, and 22\.22 or newer on 22\)$/m);
    expect(output).toMatch(/^✓ Worker threads\s+a TypeScript worker thread starts/m);
    expect(output).toMatch(/^✓ Redis\s+redis-server \d+\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:\d+/m);
    for (const lesson of lessons.filter((candidate) => candidate.minRedis)) {
      expect(output).toMatch(new RegExp(`^✓ Lesson ${lesson.id}\\s+${lesson.commands!.join(' ').replace(/\|/g, '\\|')} all there$`, 'm'));
    }
    expect(output).toMatch(/^✓ git\s+/m);
  });

  it('says how to get Redis when there is none, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workshop-path-'));
    symlinkSync(process.execPath, join(dir, 'node'));
    const run = launch(['doctor'], { PATH: dir, WORKSHOP_DOCKER: '0' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/^✗ Redis\s+none could be had \(REDIS_URL not set · redis-server not on PATH · Docker off \(WORKSHOP_DOCKER=0\)\)/m);
    // The whole fix, each way to get Redis on its own line, not only its first line.
    const fix = HOW_TO_GET_REDIS.split('\n').map((line) => line.trim());
    const shown = run.output().split('\n').map((line) => line.trim());
    expect(shown).toContain(`fix: ${fix[0]}`);
    for (const line of fix.slice(1)) expect(shown).toContain(line);
    expect(run.output()).not.toContain('(Tried:');
    expect(run.output()).toMatch(/problems?; each has its fix above\.$/m);
  });

  it('says so when REDIS_URL points at a server that does not answer', async () => {
    const run = launch(['doctor'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/^✗ Redis\s+none could be had \(REDIS_URL = redis:\/\/127\.0\.0\.1:1/m);
  });
});
