/**
 * `npm start -- classroom workflow`, retired with GitHub Classroom: it says what replaced it, exits
 * non-zero, and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../workshop/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'workshop-workflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(...args: string[]) {
  const run = spawnSync(process.execPath, ['workshop/launch.mjs', 'start', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', INIT_CWD: dir },
    encoding: 'utf8',
  });
  return { code: run.status, output: run.stdout + run.stderr };
}

describe('npm start -- classroom workflow', () => {
  it('says GitHub Classroom closed and names the three kinds of grading that replace it, and fails', () => {
    const run = start('classroom', 'workflow');
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('GitHub Classroom closed on 28 August 2026');
    for (const kind of ['actions', 'classroom50', 'gradescope']) expect(run.output).toContain(`npm start -- classroom grading ${kind}`);
  });

  it('writes nothing, neither the old file nor a new one', () => {
    const before = existsSync(join(ROOT, '.github')) ? readdirSync(join(ROOT, '.github'), { recursive: true }) : [];
    start('classroom', 'workflow', '--force');
    expect(existsSync(join(ROOT, '.github/workflows/classroom.yml'))).toBe(false);
    expect(existsSync(join(ROOT, '.github')) ? readdirSync(join(ROOT, '.github'), { recursive: true }) : []).toEqual(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unknown classroom command is named, with the usage of the grading commands', () => {
    const run = start('classroom', 'flow');
    expect(run.code).toBe(2);
    expect(run.output).toContain('Unknown classroom command `flow`');
    expect(run.output).toContain('classroom grading <actions|classroom50|gradescope>');
  });
});
