/**
 * The classroom server: joining and resuming, results counted once, the instructor's token,
 * refusals that change nothing, and a restart that loses nothing.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { get, joinAs, openClass, post, report, sendResult, type TestClassroom } from './support.ts';
import type { BoardSnapshot } from '../../workshop/classroom/protocol.ts';
import { provideRedis } from '../../workshop/provision/provision.ts';

let classroom: TestClassroom | undefined;
afterEach(async () => {
  await classroom?.end();
  classroom = undefined;
});

async function board(room: TestClassroom): Promise<BoardSnapshot> {
  const answer = await get(`${room.url}/api/board`, room.token);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as BoardSnapshot;
}

/** The board without its time stamp, to compare before and after a refused request. */
async function state(room: TestClassroom): Promise<string> {
  const { at: _at, ...rest } = await board(room);
  return JSON.stringify(rest);
}

describe('joining', () => {
  it('gives a new name a secret, resumes it with that secret, and refuses it to anyone else', async () => {
    classroom = await openClass();
    const ada = await joinAs(classroom, 'Ada');
    expect(ada.resumed).toBe(false);
    const again = await joinAs(classroom, 'ada', ada.secret);
    expect(again).toMatchObject({ learnerId: ada.learnerId, name: 'Ada', resumed: true });
    const stranger = await post(`${classroom.url}/api/join`, { code: classroom.code, name: 'ADA' });
    expect(stranger.status).toBe(409);
    expect(stranger.body.error).toMatch(/already called ADA.*--secret/);
    const wrong = await post(`${classroom.url}/api/join`, { code: classroom.code, name: 'Ada', secret: 'guess' });
    expect(wrong.status).toBe(409);
  });

  it('refuses a wrong class code and a name that is empty, too long or holds control characters', async () => {
    classroom = await openClass();
    expect((await post(`${classroom.url}/api/join`, { code: 'AAAA-BBBB', name: 'Bo' })).status).toBe(403);
    for (const name of ['  ', 'x'.repeat(41), 'Bo\u0007', 'Bo\u202e', 42]) {
      expect((await post(`${classroom.url}/api/join`, { code: classroom.code, name })).status, String(name)).toBe(400);
    }
    expect((await board(classroom)).learners).toEqual([]);
  });
});

describe('results', () => {
  it('shows a result on the board at once, and counts a report sent twice once', async () => {
    classroom = await openClass();
    const ada = await joinAs(classroom, 'Ada');
    const failing = report([{ step: '02a', passed: 1, checks: 5, failing: [{ check: 'pushes every dish', message: 'your washer pushed nothing' }] }]);
    expect((await sendResult(classroom, ada, failing)).status).toBe(202);
    const replay = await sendResult(classroom, ada, failing);
    expect(replay.status).toBe(409);
    const [learner] = (await board(classroom)).learners;
    expect(learner).toMatchObject({ name: 'Ada', current: '02a', steps: { '02a': { status: 'failed', passed: 1, checks: 5, runs: 1 } } });
    expect((await board(classroom)).summary['02a']).toEqual({
      passed: 0,
      failing: 1,
      commonFailure: { check: 'pushes every dish', message: 'your washer pushed nothing', learners: 1 },
    });
  });

  it('refuses malformed, oversized, unknown and misdirected requests with a 4xx, and changes nothing', async () => {
    classroom = await openClass();
    const ada = await joinAs(classroom, 'Ada');
    await sendResult(classroom, ada, report([{ step: '01a', status: 'passed', passed: 4, checks: 4 }]));
    const before = await state(classroom);
    const url = `${classroom.url}/api/results`;
    const refusals: Array<[string, Promise<{ status: number }>]> = [
      ['not JSON', post(url, '{"runId":', ada.auth)],
      ['not an object', post(url, '[1,2]', ada.auth)],
      ['no steps', post(url, { ...report([]), steps: [] }, ada.auth)],
      ['unknown step', post(url, report([{ step: '09z' }]), ada.auth)],
      ['more passed than checks', post(url, report([{ step: '01a', passed: 5, checks: 4 }]), ada.auth)],
      ['a status of its own', post(url, report([{ step: '01a', status: 'great' as never }]), ada.auth)],
      ['oversized', post(url, report([{ step: '01a', failing: [{ check: 'x', message: 'y'.repeat(70_000) }] }]), ada.auth)],
      ['no credentials', post(url, report([{ step: '01a' }]))],
      ['a made-up learner', post(url, report([{ step: '01a' }]), 'abc.def')],
      ['the right id, a wrong secret', post(url, report([{ step: '01a' }]), `${ada.learnerId}.guess`)],
      ['the instructor token as a learner', post(url, report([{ step: '01a' }]), classroom.token)],
      ['text instead of JSON', post(url, JSON.stringify(report([{ step: '01a' }])), ada.auth, { 'content-type': 'text/plain' })],
    ];
    for (const [what, answer] of refusals) {
      const { status } = await answer;
      expect(status >= 400 && status < 500, `${what}: ${status}`).toBe(true);
    }
    expect((await get(`${classroom.url}/api/results`)).status).toBe(405);
    expect((await get(`${classroom.url}/nothing`)).status).toBe(404);
    expect(await state(classroom)).toBe(before);
    expect((await get(`${classroom.url}/api/health`)).status).toBe(200);
  });

  it('throttles a learner who floods it, without touching the others', async () => {
    classroom = await openClass();
    const [ada, bo] = [await joinAs(classroom, 'Ada'), await joinAs(classroom, 'Bo')];
    const statuses = await Promise.all(Array.from({ length: 40 }, () => sendResult(classroom!, ada, report([{ step: '01a' }])).then((a) => a.status)));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect((await sendResult(classroom, bo, report([{ step: '01a' }]))).status).toBe(202);
  });
});

describe('the instructor', () => {
  it('needs the token for the board, its data, its events and its exports', async () => {
    classroom = await openClass();
    const ada = await joinAs(classroom, 'Ada');
    for (const path of ['/board', '/api/board', '/api/events', '/api/export.csv', '/api/export.json']) {
      expect((await get(`${classroom.url}${path}`)).status, path).toBe(401);
      expect((await get(`${classroom.url}${path}?token=${ada.secret}`)).status, path).toBe(401);
      expect((await get(`${classroom.url}${path}`, ada.auth)).status, path).toBe(401);
    }
    expect((await get(`${classroom.url}/api/board?token=${classroom.token}`)).status).toBe(200);
  });

  it('exports CSV a spreadsheet cannot run, and JSON', async () => {
    classroom = await openClass();
    const eve = await joinAs(classroom, '=HYPERLINK("http://x")');
    await sendResult(classroom, eve, report([{ step: '02b', failing: [{ check: 'blocks', message: 'said "no", then, left' }] }]));
    const csv = await get(`${classroom.url}/api/export.csv`, classroom.token);
    expect(csv.type).toMatch(/text\/csv/);
    const row = csv.text.split('\r\n')[1]!;
    expect(row.startsWith(`"'=HYPERLINK(""http://x"")",02b,failed,`)).toBe(true);
    expect(row).toContain('"said ""no"", then, left"');
    const json = JSON.parse((await get(`${classroom.url}/api/export.json`, classroom.token)).text) as BoardSnapshot;
    expect(json.learners[0]!.steps['02b']!.status).toBe('failed');
  });

  it('hears of a result on the event stream within a second', async () => {
    classroom = await openClass();
    const ada = await joinAs(classroom, 'Ada');
    const abort = new AbortController();
    const response = await fetch(`${classroom.url}/api/events?token=${classroom.token}`, { signal: abort.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    const next = async (pattern: RegExp) => {
      while (!pattern.test(seen)) seen += (await reader.read()).value ?? '';
    };
    await next(/event: board\ndata: .*"Ada"/);
    seen = '';
    const sent = Date.now();
    await sendResult(classroom, ada, report([{ step: '03a', status: 'passed', passed: 2, checks: 2 }]));
    await next(/"03a":\{"status":"passed"/);
    expect(Date.now() - sent).toBeLessThan(1000);
    abort.abort();
  });
});

describe('a restart', () => {
  it('brings back the same code, token, learners and board', async () => {
    classroom = await openClass();
    const dataDir = classroom.dataDir;
    const ada = await joinAs(classroom, 'Ada');
    await sendResult(classroom, ada, report([{ step: '01b', status: 'passed', passed: 3, checks: 3 }]));
    const before = await state(classroom);
    const { code, token } = classroom;
    await classroom.close();

    classroom = await openClass({ dataDir });
    expect([classroom.code, classroom.token]).toEqual([code, token]);
    expect(await state(classroom)).toBe(before);
    expect((await joinAs(classroom, 'Ada', ada.secret)).resumed).toBe(true);
    const replayed = await sendResult(classroom, ada, report([{ step: '01b' }], 'run-from-before-the-restart'));
    expect(replayed.status).toBe(202);
    expect((await sendResult(classroom, ada, report([{ step: '01b' }], 'run-from-before-the-restart'))).status).toBe(409);
    await classroom.end();
    classroom = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('a classroom machine without redis-server', () => {
  it('tries Docker for a learner\'s Redis, and says what is missing when that fails too', async () => {
    const state = await provideRedis();
    try {
      classroom = await openClass({ stateRedisUrl: state.url, env: { PATH: '/nonexistent', DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
      const ada = await joinAs(classroom, 'Ada');
      const answer = await post(`${classroom.url}/api/redis`, {}, ada.auth);
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatch(/could not start a Redis for Ada: no `redis-server` on its PATH, and Docker did not work/);
      // The class itself goes on: results still count.
      expect((await sendResult(classroom, ada, report([{ step: '01a' }]))).status).toBe(202);
    } finally {
      await classroom?.end();
      classroom = undefined;
      await state.stop();
    }
  });
});
