/** Lesson 06, step 06b: the reaper. Loaded by test/06-reliable-queue.test.ts. */
import type { Redis } from 'ioredis';
import { onTestFinished, vi } from 'vitest';
import { reapOnce, startReaper } from '#target/06-reliable-queue/reaper.ts';
import { alive, holding, lrange, MOVES, outcome, push, raw, sentCommands, watchedTransactions, workerProcess } from './lesson-06-checks.ts';
import { census, describeCensus, K, pause, until, watchInvariant, within, type Child } from './lesson-06.ts';
import { describeLeft, watchResources } from './leftovers.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { reaperProbe } from './contract/lesson-06.ts';

/** Methods of a connection that are not Redis commands: left as they are. */
const NOT_COMMANDS = new Set(['on', 'once', 'off', 'emit', 'removeListener', 'duplicate', 'disconnect', 'quit', 'defineCommand', 'multi', 'pipeline', 'connect']);

/**
 * The connection with every command sent through `wrap`: what a check hands the reaper to hold a
 * round at its first command, or to make every command fail.
 */
function through(conn: Redis, wrap: (send: () => Promise<unknown>) => Promise<unknown>): { conn: Redis; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(conn, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || NOT_COMMANDS.has(property) || !/^[a-z]+$/.test(property)) return value;
      return (...args: unknown[]) => {
        calls++;
        return wrap(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      };
    },
  });
  return { conn: proxy, calls: () => calls };
}

step('06b', () => {
  test('reapOnce() gives a dead worker\'s job back to jobs:waiting in one atomic step, and counts the attempt', async ({ redis }) => {
    await push(redis, raw('other'));
    const job = raw('a', { n: 1 });
    await holding(redis, 'w1', 'dead', job);
    const report = await within(reapOnce(redis.client('reaper')), 3000, () => 'reapOnce() did not resolve within 3 s');
    const waiting = await lrange(redis, K.waiting);
    expect(waiting.filter((entry) => entry === job).length, `jobs:waiting is ${JSON.stringify(waiting)}: the dead worker's job should be back in it, once, exactly as it was`).toBe(1);
    expect(await lrange(redis, K.processing('w1')), 'the job should have left jobs:processing:w1').toEqual([]);
    expect(await redis.observer.hget(redis.key(K.attempts), 'a'), 'jobs:attempts should count 1 for job a: its worker died once').toBe('1');
    expect(await redis.observer.hget(redis.key(K.status), 'a'), 'jobs:status should say "waiting" again').toBe('waiting');
    expect(report, 'reapOnce() should report which jobs it gave back and which it sent to the dead-letter list').toEqual({ requeued: ['a'], dead: [] });
    const commands = await sentCommands(redis, 'reaper');
    // Moves inside a MULTI/EXEC guarded by WATCH are one atomic step too, as in a script.
    const { loose, watchedExec } = watchedTransactions(commands);
    const moves = [...new Set(loose.filter((command) => MOVES.includes(command)))];
    expect(
      moves,
      `your reaper moved the job with ${[...new Set(loose.filter((c) => [...MOVES, 'LRANGE', 'LINDEX'].includes(c)))].join(', ')}: between those ` +
        'commands the job is in two places or in none, so a second reaper, or a worker coming back, can run it twice or lose it. ' +
        'Move it in one step: a Lua script (EVAL) that pops, counts and pushes, or LMOVE',
    ).toEqual([]);
    expect(
      watchedExec || commands.some((command) => ['EVAL', 'EVALSHA', 'EVAL_RO', 'FCALL', 'LMOVE'].includes(command)),
      `your reaper sent ${[...new Set(commands)].join(', ') || 'nothing'}: give the job back with a Lua script (EVAL) or LMOVE`,
    ).toBe(true);
  });

  test('reapOnce() leaves the jobs of a live worker alone, however long it holds them', async ({ redis }) => {
    const mine = raw('busy', { n: 2 });
    const orphan = raw('orphan', { n: 3 });
    await holding(redis, 'w1', 'alive', mine);
    await holding(redis, 'w2', 'dead', orphan);
    const report = await within(reapOnce(redis.client('reaper')), 3000, () => 'reapOnce() did not resolve within 3 s');
    expect(
      await lrange(redis, K.processing('w1')),
      'reapOnce() took job busy from jobs:processing:w1 although jobs:alive:w1 exists: that worker is alive and still running it, so the job ' +
        'would run twice. Give back only the jobs of workers whose heartbeat key is gone, and check that inside the same atomic step',
    ).toEqual([mine]);
    expect(await lrange(redis, K.waiting), 'the dead worker w2\'s job should be back in jobs:waiting').toEqual([orphan]);
    expect(await redis.observer.hget(redis.key(K.attempts), 'busy'), 'no attempt should be counted for the live worker\'s job').toBeNull();
    expect(report).toEqual({ requeued: ['orphan'], dead: [] });
  });

  test('a job whose worker keeps dying goes to jobs:dead after maxAttempts', async ({ redis }) => {
    const poison = raw('poison', { n: 13 });
    await push(redis, poison);
    const reaper = redis.client('reaper');
    for (let attempt = 1; attempt <= 3; attempt++) {
      // A worker takes the job and dies with it: what reapOnce() finds after a crash.
      await redis.observer.sadd(redis.key(K.workers), `w${attempt}`);
      const moved = await redis.observer.lmove(redis.key(K.waiting), redis.key(K.processing(`w${attempt}`)), 'LEFT', 'LEFT');
      expect(moved, `before attempt ${attempt}, the poison job should be waiting in jobs:waiting; it was not`).toBe(poison);
      const report = await within(reapOnce(reaper, { maxAttempts: 3 }), 3000, () => 'reapOnce() did not resolve within 3 s');
      const waiting = await lrange(redis, K.waiting);
      if (attempt < 3) {
        expect(waiting, `after its worker died ${attempt} time(s), with maxAttempts 3 the job should be back in jobs:waiting`).toEqual([poison]);
        continue;
      }
      expect(
        waiting,
        'the job\'s worker died 3 times with maxAttempts 3, and reapOnce() put it back in jobs:waiting again: a poison job would kill every ' +
          'worker for ever. Count attempts (HINCRBY jobs:attempts <id> 1) in the same atomic step, and move the job to jobs:dead when they reach maxAttempts',
      ).toEqual([]);
      expect(await lrange(redis, K.dead), 'after the last attempt the job should be in the dead-letter list jobs:dead, as it was').toEqual([poison]);
      expect(await redis.observer.hget(redis.key(K.attempts), 'poison'), 'jobs:attempts should say 3').toBe('3');
      expect(await redis.observer.hget(redis.key(K.status), 'poison'), 'jobs:status should say "dead"').toBe('dead');
      expect(report, 'reapOnce() should report the job as dead').toEqual({ requeued: [], dead: ['poison'] });
    }
    const c = await census(redis.observer, redis.prefix);
    expect(c.placed, `every job should be in exactly one place: ${describeCensus(c)}`).toBe(c.enqueued);
  });

  test('a job whose text Redis cannot decode (a lone surrogate, nesting over 1000, not JSON) is reaped under the id the worker and GET know', async ({ redis }) => {
    // JSON.parse reads the first two; Redis' cjson refuses them ("invalid unicode escape", "too many nested data structures").
    const lone = JSON.stringify({ id: 'lone', data: { s: '\ud800' } });
    const deep = `{"id":"deep","data":${'['.repeat(1500)}${']'.repeat(1500)}}`;
    const junk = 'not JSON at all';
    await holding(redis, 'w1', 'dead', lone, deep);
    const key = redis.key;
    await redis.observer.multi().rpush(key(K.processing('w1')), junk).incrby(key(K.enqueued), 1).exec();
    const report = await within(reapOnce(redis.client('reaper'), { maxAttempts: 1 }), 3000, () => 'reapOnce() did not resolve within 3 s');
    expect(await lrange(redis, K.dead), 'with maxAttempts 1, the three jobs should be in jobs:dead, exactly as they were').toEqual([junk, deep, lone]);
    const statuses = await redis.observer.hmget(key(K.status), 'lone', 'deep');
    expect(
      statuses,
      `the jobs "lone" and "deep" are in jobs:dead, but jobs:status says ${JSON.stringify(statuses)} for them, so GET /jobs/<id> says "processing" for ever. ` +
        'cjson.decode fails on their text (a lone surrogate \\ud800, 1500 levels of nesting) although JSON.parse reads it, and your reaper keyed them ' +
        'another way. Find the id with job_id(raw) (LUA_JOB_ID in jobs.ts): the id the text starts with, the rule the worker keys by too',
    ).toEqual(['dead', 'dead']);
    expect(await redis.observer.hmget(key(K.attempts), 'lone', 'deep'), 'jobs:attempts should count 1 for each, under its id').toEqual(['1', '1']);
    expect(await redis.observer.hget(key(K.status), junk), 'a text with no id at all is known by the text itself: its status should say "dead"').toBe('dead');
    expect([...report.dead].sort(), 'reapOnce() should report each dead job by its id').toEqual(['deep', 'lone', junk].sort());
  });

  test('a worker killed with SIGKILL mid-job: another worker does the job again, it is recorded once, and every job is always in one place', async ({ redis }) => {
    const invariant = watchInvariant(redis.observer, redis.prefix);
    try {
      const [w1, w2] = await Promise.all([workerProcess(redis, 'w1', 1000, ['hang']), workerProcess(redis, 'w2', 1000, ['hang'])]);
      const hang = raw('hang', { n: 4 });
      const others = Array.from({ length: 6 }, (_, i) => raw(`job-${i}`, { n: i, sleepMs: 5 }));
      await push(redis, hang, ...others);
      let holder: Child | undefined;
      await until(
        async () => {
          if ((await redis.observer.hget(redis.key(K.runs), 'hang')) !== '1') return false;
          for (const [child, id] of [[w1, 'w1'], [w2, 'w2']] as const) if ((await lrange(redis, K.processing(id))).includes(hang)) holder = child;
          return holder !== undefined;
        },
        8000,
        async () => `the job "hang" did not start in a worker's processing list within 8 s (${describeCensus(await census(redis.observer, redis.prefix))})`,
      );
      const survivor = holder === w1 ? w2 : w1;
      const dead = holder === w1 ? 'w1' : 'w2';
      await holder!.kill('SIGKILL');
      await until(async () => (await redis.observer.exists(redis.key(K.alive(dead)))) === 0, 3000, () =>
        `jobs:alive:${dead} still exists 3 s after its worker was killed: the heartbeat key needs an expiry (SET ... PX leaseMs), so that it goes away when the worker dies`,
      );
      const report = await within(reapOnce(redis.client('reaper'), { maxAttempts: 3 }), 3000, () => 'reapOnce() did not resolve within 3 s');
      expect(report.requeued, `the killed worker ${dead} held "hang" and its heartbeat is gone: reapOnce() should give it back`).toContain('hang');
      const result = await alive(
        survivor,
        outcome(redis, 'hang', 8000, () => ''),
        8000,
        'do the job "hang" again after the reaper gave it back',
      );
      expect(result, 'the second run of "hang" should be the one recorded (tasks.ts returns the run number)').toEqual({ ok: true, value: { square: 16, run: 2 } });
      await until(async () => (await redis.observer.hlen(redis.key(K.results))) === 7, 5000, async () => `not every job got a result: ${describeCensus(await census(redis.observer, redis.prefix))}`);
      const runs = await redis.observer.hgetall(redis.key(K.runs));
      expect(runs, 'each job should run once, and "hang" twice (the first run was killed)').toEqual({ hang: '2', ...Object.fromEntries(others.map((_, i) => [`job-${i}`, '1'])) });
    } finally {
      await invariant.stop();
    }
    expect(invariant.samples(), 'the check sampled the queue too rarely to judge').toBeGreaterThan(10);
    const broken = invariant.broken();
    expect(broken && describeCensus(broken), 'waiting + processing + done + dead must equal enqueued at every moment; one sample did not add up').toBeUndefined();
  });

  test('a worker reaped after a stall (SIGSTOP past its lease), then killed with a job: the reaper still finds it, and the job comes back', async ({ redis }) => {
    const child = await workerProcess(redis, 'w7', 600, ['late']);
    const key = redis.key;
    const reaper = redis.client('reaper');
    const expired = () => until(async () => (await redis.observer.exists(key(K.alive('w7')))) === 0, 3000, () => 'jobs:alive:w7 did not expire within 3 s (leaseMs 600)');
    child.process.kill('SIGSTOP');
    await expired();
    await within(reapOnce(reaper), 3000, () => 'reapOnce() did not resolve within 3 s');
    expect(await redis.observer.sismember(key(K.workers), 'w7'), 'reapOnce() should remove a worker whose heartbeat is gone from jobs:workers (SREM)').toBe(0);
    child.process.kill('SIGCONT');
    await push(redis, raw('late'));
    await alive(child, until(async () => (await redis.observer.hget(key(K.runs), 'late')) === '1', 5000, () => ''), 5000, 'start the job "late" after SIGCONT');
    await child.kill('SIGKILL');
    await expired();
    const report = await within(reapOnce(reaper), 3000, () => 'reapOnce() did not resolve within 3 s');
    expect(
      report.requeued,
      `w7 was reaped once after a stall, came back, took "late" and was killed; reapOnce() gave back ${JSON.stringify(report.requeued)}, and jobs:processing:w7 ` +
        `holds ${JSON.stringify(await lrange(redis, K.processing('w7')))}, jobs:workers ${JSON.stringify(await redis.observer.smembers(key(K.workers)))}. The reaper looks ` +
        'only at jobs:workers: a worker that comes back must register again, at every beat (SADD jobs:workers in the MULTI that renews its alive key, in worker.ts)',
    ).toContain('late');
    expect(await lrange(redis, K.waiting), 'the job should be back in jobs:waiting').toEqual([raw('late')]);
  });

  test('startReaper() reaps on its own every intervalMs until stop()', async ({ redis }) => {
    await holding(redis, 'w1', 'dead', raw('a'));
    const reaper = startReaper(redis.client('reaper'), { intervalMs: 20 });
    let stopped = false;
    onTestFinished(() => (stopped ? undefined : reaper.stop()));
    await until(async () => (await redis.observer.llen(redis.key(K.waiting))) === 1, 2000, () => 'startReaper() with intervalMs 20 did not give the dead worker\'s job back within 2 s');
    await within(reaper.stop(), 1000, () => 'stop() did not resolve within 1 s');
    stopped = true;
    await holding(redis, 'w2', 'dead', raw('b'));
    await pause(200);
    expect(await lrange(redis, K.processing('w2')), 'the reaper still ran after stop(): clear its timer (a timer left running also keeps the process alive)').toEqual([raw('b')]);
  });

  test('stop() during a round waits for that round, and no round starts after it', async ({ redis }) => {
    await holding(redis, 'w1', 'dead', raw('a'));
    let entered!: () => void;
    const inRound = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = through(redis.client('reaper'), async (send) => {
      entered();
      await gate;
      return send();
    });
    const reaper = startReaper(held.conn, { intervalMs: 20 });
    onTestFinished(() => {
      release();
      return within(reaper.stop(), 1000, () => '').catch(() => {});
    });
    await within(inRound, 2000, () => 'startReaper() with intervalMs 20 sent no command within 2 s');
    const watch = watchResources();
    let settled = false;
    const stopping = reaper.stop().finally(() => (settled = true));
    stopping.catch(() => {});
    await pause(50);
    expect(settled, 'stop() resolved while a round was still waiting for Redis: await the round in progress, so nothing runs after stop()').toBe(false);
    release();
    await within(stopping, 1000, () => 'stop() did not resolve within 1 s of its round finishing');
    const after = held.calls();
    // Five intervals: a round scheduled by the one that was running would have begun by then.
    await pause(100);
    expect(held.calls() - after, 'a round ran after stop() resolved: the round in progress scheduled the next one. Set a stopped flag in stop(), and schedule no round once it is set').toBe(0);
    const left = await watch.left();
    expect(describeLeft(left), `after stop() resolved, the reaper left ${describeLeft(left)}: no timer may outlive it`).toBe('nothing');
  });

  test('a round that fails goes to onError, to console.error when none is given, and the reaper goes on', async ({ redis }) => {
    const failing = through(redis.client('reaper'), () => Promise.reject(new Error('Redis went away')));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => logged.mockRestore());
    const quiet = startReaper(failing.conn, { intervalMs: 20 });
    try {
      await until(() => logged.mock.calls.length >= 2, 2000, () => `with no onError, ${logged.mock.calls.length} failed round(s) reached console.error within 2 s: a failed round is logged there, and the reaper goes on to the next`);
    } finally {
      await within(quiet.stop(), 1000, () => 'stop() did not resolve within 1 s');
    }
    expect(logged.mock.calls.some((args) => args.some((arg) => arg instanceof Error && arg.message === 'Redis went away')), 'console.error should get the round\'s error itself').toBe(true);
    logged.mockClear();
    const errors: unknown[] = [];
    const told = startReaper(failing.conn, { intervalMs: 20, onError: (error) => void errors.push(error) });
    try {
      await until(() => errors.length >= 2, 2000, () => `${errors.length} failed round(s) reached onError within 2 s: each round that throws goes to onError, and the reaper goes on`);
    } finally {
      await within(told.stop(), 1000, () => 'stop() did not resolve within 1 s');
    }
    expect(logged.mock.calls.length, 'with onError given, failed rounds go to it, not to console.error').toBe(0);
  });

  test('checks its options', async ({ redis }) => {
    await expect(reapOnce(redis.client('reaper'), { maxAttempts: 0 }), 'maxAttempts: 0 should reject with a TypeError naming `maxAttempts`').rejects.toThrow(/maxAttempts/);
  });

  contractChecks('06b', reaperProbe);
});
