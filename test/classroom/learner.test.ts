/**
 * The learner's side: join and leave from the command line, checks on the learner's Redis in the
 * classroom, and results that reach the board, or wait for it without slowing or failing a check.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../workshop/checks/check-result.ts';
import { findStep } from '../../workshop/manifest.ts';
import { readMembership } from '../../workshop/classroom/membership.ts';
import { flush, readOutbox, reportRun, SEND_BUDGET_MS } from '../../workshop/classroom/outbox.ts';
import type { BoardSnapshot } from '../../workshop/classroom/protocol.ts';
import { get, openClass, type TestClassroom } from './support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let env: NodeJS.ProcessEnv;
let classroom: TestClassroom | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'workshop-learner-'));
  env = {
    ...process.env,
    WORKSHOP_CLASSROOM_FILE: join(dir, 'classroom.json'),
    WORKSHOP_CLASSROOM_OUTBOX: join(dir, 'outbox.json'),
    WORKSHOP_PROGRESS: join(dir, 'progress.json'),
    WORKSHOP_LIVE: '0',
    NO_COLOR: '1',
  };
  delete env.REDIS_URL;
  delete env.WORKSHOP_TARGET;
});

afterEach(async () => {
  await classroom?.end();
  classroom = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a workshop command; not spawnSync, which would stop this process's classroom from answering it. */
function workshop(...args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['workshop/launch.mjs', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (status) => resolve({ status, out }));
  });
}

async function board(room: TestClassroom): Promise<BoardSnapshot> {
  return JSON.parse((await get(`${room.url}/api/board`, room.token)).text) as BoardSnapshot;
}

const failedRun = (stepId: string): RunResult => ({
  checks: [{ stepId, name: 'pushes every dish', state: 'failed', message: 'your washer pushed nothing', durationMs: 5 }],
  loadErrors: [],
  unhandled: [],
  stalled: false,
});

describe('a learner in a class', () => {
  it('joins, checks a step on their own Redis there, shows on the board, and leaves', async () => {
    classroom = await openClass();
    const joined = await workshop('start', 'join', classroom.joinAddress, '--name', 'Ada L');
    expect(joined.out).toMatch(/Joined the class at .* as Ada L\.\nYour checks now run on your own Redis in the classroom/);
    expect(joined.status).toBe(0);
    expect(statSync(env.WORKSHOP_CLASSROOM_FILE!).mode & 0o777).toBe(0o600);

    // The starter fails 02a; the report says which Redis it ran on.
    const checked = await workshop('verify', '02a');
    expect(checked.status).toBe(1);
    expect(checked.out).toMatch(/Redis: your classroom Redis 7[\d.]+ at redis:\/\/127\.0\.0\.1:\d+/);
    expect(checked.out).not.toMatch(/redis:\/\/:[^@\s]+@/);
    const [ada] = (await board(classroom)).learners;
    expect(ada).toMatchObject({ name: 'Ada L', current: '02a', steps: { '02a': { status: 'failed', runs: 1 } } });
    expect(ada!.steps['02a']!.failing[0]!.message).toMatch(/wash\(\) is not written yet/);
    // A report can reach the board after verify stopped waiting for the answer (50 ms at most); it is
    // then still in the outbox, and sending it again changes nothing.
    await flush(readMembership(env)!, 5000, env);
    expect(readOutbox(env)).toEqual([]);
    expect((await board(classroom)).learners[0]!.steps['02a']!.runs).toBe(1);

    const left = await workshop('start', 'leave');
    expect(left.out).toMatch(/You left the class/);
    expect(existsSync(env.WORKSHOP_CLASSROOM_FILE!)).toBe(false);
  });

  it('resumes on another machine with its secret, and is refused the name without it', async () => {
    classroom = await openClass();
    await workshop('start', 'join', classroom.joinAddress, '--name', 'Ada');
    const { secret, learnerId } = readMembership(env)!;
    rmSync(env.WORKSHOP_CLASSROOM_FILE!);
    const without = await workshop('start', 'join', classroom.joinAddress, '--name', 'Ada');
    expect(without.status).toBe(1);
    expect(without.out).toMatch(/already called Ada.*--secret/);
    const resumed = await workshop('start', 'join', classroom.joinAddress, '--name', 'Ada', '--secret', secret);
    expect(resumed.out).toMatch(/Welcome back/);
    expect(readMembership(env)!.learnerId).toBe(learnerId);
  });

  it('says what a join address needs when it has no class code', async () => {
    const wrong = await workshop('start', 'join', 'http://127.0.0.1:4800', '--name', 'Ada');
    expect(wrong.status).toBe(1);
    expect(wrong.out).toMatch(/ends with the class code/);
    expect((await workshop('start', 'join')).status).toBe(2);
  });
});

describe('when the board is away', () => {
  it(`waits at most ${SEND_BUDGET_MS} ms for a board that never answers, keeps the result, and delivers it later, once`, async () => {
    classroom = await openClass();
    await workshop('start', 'join', classroom.joinAddress, '--name', 'Ada');
    const membership = readMembership(env)!;
    // A board that takes the connection and never answers.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    writeFileSync(env.WORKSHOP_CLASSROOM_FILE!, JSON.stringify({ ...membership, server: `http://127.0.0.1:${port}` }));
    try {
      const started = performance.now();
      await reportRun(failedRun('02a'), [findStep('02a')!.step], 'verify', SEND_BUDGET_MS, env);
      const waited = performance.now() - started;
      expect(waited).toBeLessThan(SEND_BUDGET_MS + 30);
      expect(readOutbox(env)).toHaveLength(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
    // The board is back: the next result takes the waiting one with it, in order.
    writeFileSync(env.WORKSHOP_CLASSROOM_FILE!, JSON.stringify(membership));
    await reportRun({ ...failedRun('02b'), checks: [{ stepId: '02b', name: 'blocks', state: 'passed', durationMs: 1 }] }, [findStep('02b')!.step], 'watch', 5000, env);
    expect(readOutbox(env)).toEqual([]);
    const [ada] = (await board(classroom)).learners;
    expect(ada!.steps['02a']).toMatchObject({ status: 'failed', runs: 1 });
    expect(ada!.steps['02b']).toMatchObject({ status: 'passed', runs: 1 });
  });

  it('still checks, on a local Redis, when the classroom is down; the result waits', async () => {
    classroom = await openClass();
    await workshop('start', 'join', classroom.joinAddress, '--name', 'Ada');
    await classroom.end();
    classroom = undefined;
    const checked = await workshop('verify', '02a');
    expect(checked.out).toMatch(/The classroom at .* did not answer .* This run uses a Redis on this machine/);
    expect(checked.out).toMatch(/Redis: redis-server 7/);
    expect(checked.out).toMatch(/0 passed, \d+ failed/);
    expect(checked.status).toBe(1);
    expect(readOutbox(env)).toHaveLength(1);
    expect(JSON.parse(readFileSync(env.WORKSHOP_CLASSROOM_OUTBOX!, 'utf8'))[0].steps[0].step).toBe('02a');
  });
});
