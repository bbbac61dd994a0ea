/**
 * Watch mode as a learner uses it: save a file, read the verdict; with file events, and with the
 * polling it falls back to where events do not work.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descendants, launch, scratchTarget, survivors, type Cli } from './cli.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

async function watching(mode: 'auto' | 'poll') {
  const scratch = scratchTarget('solutions', ['02-washer-dryer']);
  cleanup.push(scratch.remove);
  const run = launch(['watch', '02a'], { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress, WORKSHOP_WATCH: mode === 'poll' ? 'poll' : '' });
  cleanup.push(() => run.child.kill('SIGKILL'));
  await run.waitFor(/[1-9]\d* passed, 0 failed[\s\S]*Watching .* for 02a/);
  return { run, scratch, washer: join(scratch.dir, '02-washer-dryer', 'washer.ts') };
}

/** Saves `file` with `change` applied, then waits for the next verdict after the save. */
async function save(run: Cli, file: string, change: (text: string) => string): Promise<string> {
  const from = run.output().length;
  writeFileSync(file, change(readFileSync(file, 'utf8')));
  const [verdict] = await run.waitFor(/[\s\S]*?\d+ passed, \d+ failed[\s\S]*Verdict \d+ ms after your save\.[\s\S]*Watching/, from);
  return verdict;
}

describe('npm run watch', { timeout: 60_000 }, () => {
  it('checks the step again each time a file is saved, and records the verdict', async () => {
    const { run, scratch, washer } = await watching('auto');
    expect(run.output()).toContain('(file events)');
    const broken = await save(run, washer, (text) => text.replace('await conn.rpush(queue, dish)', 'await conn.lpush(queue, dish)'));
    expect(broken).toMatch(/✗/);
    expect(broken).toMatch(/\d+ passed, [1-9]\d* failed/);
    expect(JSON.parse(readFileSync(scratch.progress, 'utf8')).steps['02a'].status).toBe('failed');
    const fixed = await save(run, washer, (text) => text.replace('await conn.lpush(queue, dish)', 'await conn.rpush(queue, dish)'));
    expect(fixed).toMatch(/[1-9]\d* passed, 0 failed/);
    expect(JSON.parse(readFileSync(scratch.progress, 'utf8')).steps['02a'].status).toBe('passed');
  });

  it('falls back to polling, says so on screen, and still sees a save', async () => {
    const { run, washer } = await watching('poll');
    expect(run.output()).toContain('polling every 150 ms, because WORKSHOP_WATCH=poll');
    const broken = await save(run, washer, (text) => text.replace('await conn.rpush(queue, QUIT)', 'await conn.rpush(queue, "stop")'));
    expect(broken).toMatch(/✗/);
  });

  it('moves on to the next step on n, even when this one does not pass yet', async () => {
    const scratch = scratchTarget('lessons', ['02-washer-dryer']);
    cleanup.push(scratch.remove);
    const run = launch(['watch', '02a'], { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress }, { tty: true, keys: true });
    cleanup.push(() => run.child.kill('SIGKILL'));
    await run.waitFor(/Watching .* for 02a/);
    const from = run.output().length;
    run.child.stdin!.write('n');
    await run.waitFor(/Watching .* for 02b/, from);
    run.child.stdin!.write('q');
    expect(await run.exited).toBe(0);
  });

  it('starts over when a file is saved in the middle of a run: one verdict, about the code as it is now', async () => {
    const scratch = scratchTarget('solutions', ['06-reliable-queue']);
    cleanup.push(scratch.remove);
    const run = launch(['watch', '06a'], { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress }, { tty: true });
    cleanup.push(() => run.child.kill('SIGKILL'));
    const [, count] = await run.waitFor(/(\d+) passed, 0 failed[\s\S]*Watching .* for 06a/);
    const jobs = join(scratch.dir, '06-reliable-queue', 'jobs.ts');
    const from = run.output().length;
    writeFileSync(jobs, `${readFileSync(jobs, 'utf8')}\n// first save\n`);
    // The live line counts the checks done: two are, so the run is well under way, with most still to come.
    await run.waitFor(new RegExp(`06a · [2-9]/${count}`), from);
    writeFileSync(jobs, `${readFileSync(jobs, 'utf8')}// second save\n`);
    await run.waitFor(new RegExp(`Saved again while checking: checking anew\\.[\\s\\S]*${count} passed, 0 failed[\\s\\S]*Watching`), from);
    expect(run.output().slice(from).match(/\d+ passed, \d+ failed/g), 'the run the second save cut short must not print a verdict of its own').toHaveLength(1);
  });

  it('stops everything it started on Ctrl-C', async () => {
    const { run } = await watching('auto');
    const started = descendants(run.child.pid!);
    expect(started.length, 'watch mode keeps its test process and Redis running between saves').toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(await survivors(started), 'processes watch mode started are still running').toEqual([]);
  });
});
