/**
 * The history checker of lesson 06 (test/support/history/check.ts) on hand-made histories: a good
 * one passes with the right counts, and each rule fails on a history that breaks it, naming the job.
 */
import { describe, expect, test } from 'vitest';
import { checkHistory, formatVerdict } from '../support/history/check.ts';
import type { Enqueue, Fault, FinalJob, History, Run } from '../support/history/history.ts';

const settings = { leaseMs: 1000, jobTimeoutMs: 500, maxAttempts: 3 };

const ok = (n: number, id: string, at = n * 50): Enqueue => ({ n, try: 1, at, end: at + 10, outcome: 'ok', id });
let runs = 0;
/** One run of `job` (client number n) by `worker` from `at`; `end` undefined: it never finished. */
function run(worker: string, job: string, n: number, at: number, end?: number, attempt = 1): Run[] {
  const name = `r${++runs}`;
  const start: Run = { kind: 'start', run: name, worker, job, n, attempt, at };
  return end === undefined ? [start] : [start, { ...start, kind: 'finish', at: end }];
}
const done = (attempts = 0): FinalJob => ({ status: 'done', attempts, lists: [] });

/** Three jobs posted, acknowledged, each run once and done. */
function good(): History {
  return {
    settings,
    enqueues: [ok(1, 'a'), ok(2, 'b'), ok(3, 'c')],
    runs: [...run('w1', 'a', 1, 100, 150), ...run('w2', 'b', 2, 160, 200), ...run('w1', 'c', 3, 210, 260)],
    faults: [],
    final: { jobs: { a: done(), b: done(), c: done() }, dead: [] },
  };
}

function problems(history: History): string[] {
  return checkHistory(history).problems;
}

describe('checkHistory()', () => {
  test('a history where every job ran once and is done keeps every rule', () => {
    const verdict = checkHistory(good());
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.counts).toMatchObject({ enqueued: 3, acknowledged: 3, done: 3, dead: 0, lost: 0 });
    expect(formatVerdict(verdict)).toBe('3 jobs posted (0 sent again after no answer): 3 acknowledged with 202, 0 unknown (0 of them in the queue).\n3 done, 0 dead, 0 lost; 0 duplicate run(s).');
  });

  test('rule 1: a job acknowledged with 202 that never finished is lost, in the lesson\'s words', () => {
    const history = good();
    history.enqueues[1] = { n: 2, try: 1, at: 390, end: 410, outcome: 'ok', id: 'b' };
    history.runs = history.runs.filter((event) => event.job !== 'b');
    history.final.jobs.b = { status: 'processing', attempts: 0, lists: ['jobs:processing:w2'] };
    const verdict = checkHistory(history);
    expect(verdict.counts.lost).toBe(1);
    expect(verdict.problems).toEqual([
      'job 2 was acknowledged with 202 at 0.41 s but never finished and is not in the dead list; GET /jobs/<id> says processing after 0 attempt(s) and Redis holds it in jobs:processing:w2 (no worker ever started it)',
    ]);
  });

  test('rule 1: a job GET /jobs/<id> does not know (404) is lost too', () => {
    const history = good();
    history.runs = history.runs.filter((event) => event.job !== 'c');
    history.final.jobs.c = { status: 'missing', attempts: 0 };
    const verdict = checkHistory(history);
    expect(verdict.counts.lost).toBe(1);
    expect(verdict.problems[0]).toMatch(/^job 3 was acknowledged with 202 at 0\.16 s but never finished .*says 404/);
  });

  test('rule 1: a dead job is in jobs:dead once, with attempts == maxAttempts, and is not done', () => {
    const dead = good();
    dead.final.jobs.a = { status: 'dead', attempts: 3, lists: ['jobs:dead'] };
    dead.final.dead = ['a'];
    expect(checkHistory(dead).ok).toBe(true);
    expect(checkHistory(dead).counts).toMatchObject({ done: 2, dead: 1, lost: 0 });

    const early = good();
    early.final.jobs.a = { status: 'dead', attempts: 2 };
    early.final.dead = ['a'];
    expect(problems(early)[0]).toMatch(/^job 1 was acknowledged .*says dead after 2 attempt\(s\).* is in the dead list, with maxAttempts 3/);

    const twice = good();
    twice.final.jobs.a = { status: 'dead', attempts: 3 };
    twice.final.dead = ['a', 'a'];
    expect(problems(twice)[0]).toMatch(/is in the dead list 2 times/);

    const both = good();
    both.final.dead = ['a'];
    expect(problems(both)[0]).toMatch(/^job 1 .*says done after 0 attempt\(s\).* is in the dead list/);

    const unlisted = good();
    unlisted.final.jobs.a = { status: 'dead', attempts: 3 };
    expect(problems(unlisted)[0]).toMatch(/says dead after 3 attempt\(s\).* is not in the dead list/);
  });

  test('rule 1: done with no run finished is a problem', () => {
    const history = good();
    history.runs = history.runs.filter((event) => !(event.job === 'a' && event.kind === 'finish'));
    expect(problems(history)).toEqual(['job 1 says done, but no worker ever finished a run of it (run by w1 at 0.10 s (attempt 1), never finished)']);
  });

  test('rule 2: a second run with nothing to explain it is named', () => {
    const history = good();
    history.runs.push(...run('w2', 'a', 1, 400, 450, 2));
    const verdict = checkHistory(history);
    expect(verdict.counts.duplicates.unexplained).toBe(1);
    expect(verdict.problems[0]).toBe(
      'job 1 ran again: by w1 at 0.10 s (finished at 0.15 s), then by w2 at 0.40 s, and nothing explains the second run: w1 was not killed, not stalled, ' +
        'Redis was not away while it held the job, and the first run did not pass the time limit (500 ms). A job runs again only when its worker is gone or gave it up',
    );
  });

  test('rule 2: a SIGKILL, a stall past the lease, an outage past the lease or the time limit explains a second run', () => {
    const explained = (faults: Fault[], first: Run[], second: Run[]) => {
      const history = good();
      history.runs = [...history.runs.filter((event) => event.job !== 'a'), ...first, ...second];
      history.faults = faults;
      return checkHistory(history);
    };
    const killed = explained([{ kind: 'kill', at: 120, worker: 'w1' }], run('w1', 'a', 1, 100), run('w2', 'a', 1, 1300, 1350, 2));
    expect(killed.counts.duplicates).toMatchObject({ killed: 1, unexplained: 0 });
    // The kill of another worker explains nothing.
    expect(explained([{ kind: 'kill', at: 120, worker: 'w3' }], run('w1', 'a', 1, 100), run('w2', 'a', 1, 300, 350, 2)).ok).toBe(false);

    const stall: Fault = { kind: 'stall', at: 120, until: 1400, worker: 'w1', lapsed: true };
    expect(explained([stall], run('w1', 'a', 1, 100, 1410), run('w2', 'a', 1, 1300, 1350, 2)).counts.duplicates.stalled).toBe(1);
    // A stall that ended before the lease ran out explains nothing.
    expect(explained([{ ...stall, until: 400, lapsed: false }], run('w1', 'a', 1, 100, 420), run('w2', 'a', 1, 450, 500, 2)).ok).toBe(false);
    // A worker stalled while holding the job unseen runs it once resumed, after another worker ran it.
    expect(explained([{ ...stall, at: 50, until: 1200 }], run('w2', 'a', 1, 1150, 1180, 2), run('w1', 'a', 1, 1250, 1300, 2)).counts.duplicates.stalled).toBe(1);
    // ...or just before it: the stale copy can run first.
    expect(explained([{ ...stall, at: 50, until: 1200 }], run('w1', 'a', 1, 1205, 1300, 2), run('w2', 'a', 1, 1215, 1260, 2)).counts.duplicates.stalled).toBe(1);
    // ...but not once it ran another job after the stall: then it did not hold this one through it.
    const other = good();
    other.runs = [...run('w2', 'b', 2, 160, 200), ...run('w2', 'a', 1, 1150, 1180, 2), ...run('w1', 'c', 3, 1210, 1260), ...run('w1', 'a', 1, 1270, 1300, 2)];
    other.faults = [{ ...stall, at: 50, until: 1200 }];
    expect(checkHistory(other).counts.duplicates.unexplained).toBe(1);

    const outage: Fault = { kind: 'restart', at: 120, until: 1300, lapses: [] };
    expect(explained([outage], run('w1', 'a', 1, 100, 150), run('w2', 'a', 1, 1350, 1400, 2)).counts.duplicates.outage).toBe(1);
    // A run done and acknowledged before Redis went away was not held through it.
    expect(explained([{ ...outage, at: 400 }], run('w1', 'a', 1, 100, 150), run('w2', 'a', 1, 1350, 1400, 2)).ok).toBe(false);
    // A stale copy held unseen through the outage: its worker started nothing since.
    expect(explained([outage], run('w1', 'a', 1, 1200, 1250, 2), run('w2', 'a', 1, 1210, 1260, 2)).counts.duplicates.outage).toBe(1);

    expect(explained([], run('w1', 'a', 1, 100, 900), run('w2', 'a', 1, 620, 700, 2)).counts.duplicates['time limit']).toBe(1);
    // A first run that finished within the limit was not given up: the second run is unexplained.
    expect(explained([], run('w1', 'a', 1, 100, 300), run('w2', 'a', 1, 620, 700, 2)).ok).toBe(false);
    // Nor does the limit explain a second run that began long before the first reached it.
    expect(explained([], run('w1', 'a', 1, 100, 900), run('w2', 'a', 1, 300, 350, 2)).ok).toBe(false);
  });

  test('rule 3: a job the client never posted, or whose every POST failed, must not be in the queue', () => {
    const stranger = good();
    stranger.runs.push(...run('w1', 'x', 9, 300, 350));
    stranger.final.jobs.x = done();
    expect(problems(stranger)).toEqual(['job 9 is in the queue (x, done, run by w1 at 0.30 s) but the client never posted it: nothing may run that was never enqueued']);

    const refused = good();
    refused.enqueues.push({ n: 4, try: 1, at: 300, end: 310, outcome: 'failed', why: '400 {"error":"the body is not JSON"}' });
    refused.runs.push(...run('w1', 'd', 4, 320, 350));
    refused.final.jobs.d = done();
    expect(problems(refused)[0]).toMatch(/^job 4 is in the queue \(d, done, run by w1 at 0\.32 s\) although every POST of it failed \(400 /);
  });

  test('rule 4: one POST, one job: an unknown one may be there or not, never twice', () => {
    const unknown: Enqueue = { n: 4, try: 1, at: 300, end: 2300, outcome: 'unknown', why: 'no answer within 2000 ms' };
    const absent = good();
    absent.enqueues.push(unknown);
    expect(checkHistory(absent).ok).toBe(true);
    expect(checkHistory(absent).counts.unknown).toEqual({ total: 1, present: 0 });

    const present = good();
    present.enqueues.push(unknown);
    present.runs.push(...run('w1', 'd', 4, 320, 350));
    present.final.jobs.d = done();
    expect(checkHistory(present).ok).toBe(true);
    expect(checkHistory(present).counts.unknown).toEqual({ total: 1, present: 1 });
    expect(checkHistory(present).counts.resent).toBe(0);

    const double = good();
    double.enqueues.push(unknown, { ...unknown, try: 2, at: 2400, end: 2500 });
    double.runs.push(...run('w1', 'd', 4, 320, 350), ...run('w2', 'e', 4, 2450, 2480));
    double.final.jobs.d = done();
    double.final.jobs.e = done();
    expect(problems(double)[0]).toMatch(/^job 4's POST ended unknown \(no answer within 2000 ms; no answer within 2000 ms\) and the queue has it 2 times: d, done/);

    const retried = good();
    retried.enqueues.push(unknown, { ...ok(4, 'e'), try: 2, at: 2400, end: 2420 });
    retried.runs.push(...run('w1', 'd', 4, 320, 350), ...run('w2', 'e', 4, 2450, 2480));
    retried.final.jobs.d = done();
    retried.final.jobs.e = done();
    expect(checkHistory(retried).counts).toMatchObject({ resent: 1, acknowledged: 4 });
    expect(problems(retried)).toEqual(['job 4 was enqueued twice: besides e (acknowledged with 202 at 2.42 s), the queue also has d, done, run by w1 at 0.32 s']);

    const twoIds = good();
    twoIds.enqueues.push({ ...ok(1, 'z'), try: 2 });
    twoIds.final.jobs.z = done();
    twoIds.runs.push(...run('w2', 'z', 1, 300, 340));
    expect(problems(twoIds)[0]).toMatch(/^job 1 was acknowledged with two ids, a at 0\.06 s and z at 0\.06 s/);
  });
});
