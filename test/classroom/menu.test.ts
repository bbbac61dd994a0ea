/** Joining and leaving a class from the menu, in a real terminal (tmux). */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { open, pressIn, shows, socket } from '../harness/tmux.ts';
import { readMembership } from '../../workshop/classroom/membership.ts';
import { get, openClass, type TestClassroom } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'workshop-menu-join-'));
const env = { WORKSHOP_CLASSROOM_FILE: join(dir, 'classroom.json'), WORKSHOP_CLASSROOM_OUTBOX: join(dir, 'outbox.json'), WORKSHOP_PROGRESS: join(dir, 'progress.json') };
let classroom: TestClassroom | undefined;

afterAll(async () => {
  spawnSync('tmux', ['-L', socket('join'), 'kill-server']);
  await classroom?.end();
  rmSync(dir, { recursive: true, force: true });
});

it('joins a class with g, asking for the address and a name, and leaves it with g again', { timeout: 60_000 }, async () => {
  classroom = await openClass();
  open('join', env);
  await shows(/g join a class/, 20_000, 'join');
  pressIn('join', 'g');
  await shows(/The join address your instructor shows/, 10_000, 'join');
  pressIn('join', classroom.joinAddress);
  pressIn('join', 'Enter');
  await shows(/Your name, as the class knows you/, 10_000, 'join');
  pressIn('join', 'Grace H');
  pressIn('join', 'Enter');
  await shows(/Joined the class at .* as Grace H\.[\s\S]*Press any key/, 20_000, 'join');
  expect(readMembership({ ...process.env, ...env })?.name).toBe('Grace H');
  const board = JSON.parse((await get(`${classroom.url}/api/board`, classroom.token)).text) as { learners: Array<{ name: string }> };
  expect(board.learners.map((learner) => learner.name)).toEqual(['Grace H']);

  pressIn('join', 'Space');
  await shows(/g join a class/, 10_000, 'join');
  pressIn('join', 'g');
  await shows(/You are in the class at .* as Grace H\.[\s\S]*Leave it/, 10_000, 'join');
  pressIn('join', 'y');
  await shows(/You left the class/, 10_000, 'join');
  expect(existsSync(env.WORKSHOP_CLASSROOM_FILE)).toBe(false);
});
