/**
 * Lesson 06, the capstone: a queue that loses no job when a worker dies. The checks read Redis
 * directly with the key names of jobs.ts (a contract), kill real worker processes with SIGKILL,
 * and load the HTTP front from a second process.
 */
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request as httpRequest, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { onTestFinished } from 'vitest';
import { startApp, type App } from '#target/06-reliable-queue/app.ts';
import { enqueue, type Job } from '#target/06-reliable-queue/jobs.ts';
import { reapOnce, startReaper } from '#target/06-reliable-queue/reaper.ts';
import { createServer } from '#target/06-reliable-queue/server.ts';
import { QueueWorker, type WorkerOptions } from '#target/06-reliable-queue/worker.ts';
import { ROOT } from '../workshop/target.ts';
import {
  call,
  census,
  deferred,
  describeCensus,
  K,
  killChildren,
  pause,
  refused,
  startChild,
  tail,
  tapCommands,
  until,
  watchInvariant,
  within,
  type Child,
  type Sent,
} from './support/lesson-06.ts';
import { expect, step, test, type RedisKit } from './support/workshop-test.ts';

// The files behind the #target alias: a child process cannot use the alias, so it gets the path.
const targetFiles = Object.keys(import.meta.glob('#target/06-reliable-queue/*.ts'));
function targetFile(file: string): string {
  const key = targetFiles.find((candidate) => candidate.endsWith(`/${file}`));
  if (!key) throw new Error(`06-reliable-queue/${file} is missing: the checks need it`);
  return isAbsolute(key) && key.startsWith(ROOT) ? key : join(ROOT, key);
}
const SERVER_HELPER = join(ROOT, 'test/support/lesson-06-server.ts');
const LOAD_HELPER = join(ROOT, 'test/support/lesson-06-load.ts');
/** close() must beat this by far: a BLMOVE left to its timeout would take 30 s. */
const CLOSE_LIMIT_MS = 1000;

const raw = (id: string, data: unknown = {}) => JSON.stringify({ id, data });

/** Puts jobs in jobs:waiting as enqueue() does (counted, with a status), in one MULTI. */
async function push(redis: RedisKit, ...jobs: string[]): Promise<void> {
  const key = redis.key;
  const multi = redis.observer.multi().rpush(key(K.waiting), ...jobs).incrby(key(K.enqueued), jobs.length);
  for (const job of jobs) multi.hset(key(K.status), (JSON.parse(job) as Job).id, 'waiting');
  await multi.exec();
}

/** A worker of the check: started with a short BLMOVE timeout, stopped when the check ends. */
async function started(options: WorkerOptions): Promise<QueueWorker> {
  const worker = new QueueWorker({ blockTimeoutSec: 0.1, ...options });
  onTestFinished(() => within(worker.stop(), 2000, () => '').catch(() => {}));
  await within(worker.start(), 3000, () => 'start() did not resolve within 3 s: resolve once the worker is registered and its loop runs');
  return worker;
}

async function lrange(redis: RedisKit, name: string): Promise<string[]> {
  return redis.observer.lrange(redis.key(name), 0, -1);
}

/** Waits for the outcome of a job in jobs:results; fails with `explain` after `ms`. */
async function outcome(redis: RedisKit, id: string, ms: number, explain: () => string | Promise<string>): Promise<unknown> {
  await until(async () => (await redis.observer.hexists(redis.key(K.results), id)) === 1, ms, explain);
  return JSON.parse((await redis.observer.hget(redis.key(K.results), id))!) as unknown;
}

/** The commands of the check's clients (not Lua's), from the trace. */
async function sentCommands(redis: RedisKit, client?: string): Promise<string[]> {
  await redis.trace.settle();
  return redis.trace.commands({ client }).filter((event) => event.client !== 'client:lua').map((event) => event.command);
}

/** Starts worker-process.ts as worker `id`; resolves once it printed `ready`, fails at once if it exits first. */
async function workerProcess(redis: RedisKit, id: string, leaseMs: number): Promise<Child> {
  const child = startChild(`worker ${id}`, targetFile('worker-process.ts'), [], { WORKER_ID: id, JOB_LEASE_MS: String(leaseMs) }, redis.prefix);
  onTestFinished(killChildren);
  await alive(child, child.line(/^ready\b/), 10_000, 'print "ready" (its worker started)');
  return child;
}

/**
 * Awaits `promise` while `child` runs; fails at once with its output when it exits first. On
 * failure every child of the check is killed first, so none is left to look like the learner's.
 */
async function alive<T>(child: Child, promise: Promise<T>, ms: number, what: string): Promise<T> {
  const died = child.exited.then(() => {
    throw new Error(`${child.name} ended (${describeExit(child)}) before it could ${what}. What it printed:${tail(child)}`);
  });
  died.catch(() => {});
  try {
    return await within(Promise.race([promise, died]), ms, () => `${child.name} did not ${what} within ${ms / 1000} s. What it printed:${tail(child)}`);
  } catch (error) {
    await killChildren();
    throw error;
  }
}

function describeExit(child: Child): string {
  const status = child.exit();
  return status?.signal ? `killed by ${status.signal}` : `exit code ${status?.code}`;
}

step('06a', () => {
  test('enqueue() puts the job at the tail of jobs:waiting as JSON with its id, marks it waiting and counts it', async ({ redis }) => {
    await push(redis, raw('older'));
    const data = { n: 5, dish: '味噌汁 🍜' };
    const id = await enqueue(redis.client('producer'), data);
    expect(typeof id, `enqueue() should return the new job's id (a string), got ${JSON.stringify(id)}`).toBe('string');
    const waiting = await lrange(redis, K.waiting);
    expect(waiting.length, `jobs:waiting holds ${waiting.length} jobs: enqueue() should RPUSH one job after the one already there`).toBe(2);
    expect(JSON.parse(waiting[1]!), 'the job at the tail should be {"id": <the id returned>, "data": <what was enqueued>} as JSON').toEqual({ id, data });
    expect(await redis.observer.hget(redis.key(K.status), id), 'jobs:status should say "waiting" for the new job').toBe('waiting');
    expect(await redis.observer.get(redis.key(K.enqueued)), 'jobs:enqueued counts every job ever enqueued: INCR it with the RPUSH').toBe('2');
    const other = await enqueue(redis.client('producer'), { n: 5, dish: '味噌汁 🍜' });
    expect(other, 'two jobs enqueued with the same data still need different ids').not.toBe(id);
  });

  test('takes a job with BLMOVE into its own processing list, where it stays while handle() runs', async ({ redis }) => {
    const gate = deferred();
    const began = deferred<Job>();
    await started({
      id: 'w1',
      handle: async (job) => {
        began.resolve(job);
        await gate.promise;
        return 'ok';
      },
    });
    // Keys in an unusual order, on purpose: the job's text is what identifies it in the lists.
    const job = '{"data":{"n":2},"id":"job-1"}';
    await push(redis, job);
    const got = await within(began.promise, 3000, async () =>
      `a job was pushed onto jobs:waiting, but handle() was not called within 3 s. Commands your worker sent: ${[...new Set(await sentCommands(redis))].join(', ')}`,
    );
    expect(got, 'handle() should get the job parsed: { id, data }').toEqual({ id: 'job-1', data: { n: 2 } });
    const processing = await lrange(redis, K.processing('w1'));
    const commands = await sentCommands(redis);
    if (!processing.includes(job)) {
      const popped = commands.find((command) => ['BLPOP', 'LPOP', 'BRPOP', 'RPOP'].includes(command));
      expect.fail(
        popped
          ? `your worker took the job with ${popped}: while handle() runs, the job exists only in your process, and if the process dies now ` +
              'the job is lost. Take it with BLMOVE jobs:waiting jobs:processing:<worker id> LEFT LEFT <timeout>: Redis moves it in one step, and it stays there until you acknowledge it'
          : commands.includes('LREM')
            ? 'while handle() was still running, the job was already gone from jobs:processing:w1: your worker acknowledged it (LREM) before ' +
              'running it. Acknowledge only after handle() has finished and the result is recorded: that is what makes a killed worker\'s job recoverable'
            : `while handle() ran, jobs:processing:w1 held ${JSON.stringify(processing)}: the job should wait there, exactly as it was in jobs:waiting, until it is acknowledged`,
      );
    }
    expect(await lrange(redis, K.waiting), 'the job should have left jobs:waiting (BLMOVE moves it)').toEqual([]);
    const move = redis.trace.commands({ command: 'BLMOVE' })[0];
    expect(move?.args.slice(0, 2), 'BLMOVE should move from jobs:waiting to jobs:processing:w1').toEqual([K.waiting, K.processing('w1')]);
    expect(move?.args[2]?.toUpperCase(), 'take from the head of jobs:waiting (LEFT): producers RPUSH at the tail, so the oldest job is at the head').toBe('LEFT');
    expect(await redis.observer.hget(redis.key(K.status), 'job-1'), 'while it runs, jobs:status should say "processing"').toBe('processing');
    gate.resolve();
  });

  test('records the result, then acknowledges with LREM of the exact text BLMOVE returned', async ({ redis }) => {
    await started({ id: 'w1', handle: (job) => ({ doubled: (job.data as { n: number }).n * 2 }) });
    const job = '{ "data": {"n": 21},  "id": "job-7" }';
    await push(redis, job);
    const result = await outcome(redis, 'job-7', 3000, () => 'handle() finished, but no result for job-7 appeared in jobs:results within 3 s: HSET jobs:results <id> <outcome JSON>');
    expect(result, 'jobs:results should hold {"ok": true, "value": <what handle() returned>} for the job').toEqual({ ok: true, value: { doubled: 42 } });
    await until(async () => (await redis.observer.hget(redis.key(K.status), 'job-7')) === 'done', 1000, () => 'jobs:status should say "done" once the result is recorded');
    expect(
      await lrange(redis, K.processing('w1')),
      'the result is recorded, but jobs:processing:w1 still holds the job, so it counts twice (done and in progress) and a reaper would run it ' +
        'again. LREM removes only elements equal to the text you give it: pass the exact string BLMOVE returned, not JSON.stringify(job) ' +
        '(spacing and key order differ). Do the LREM and the HSETs in one MULTI',
    ).toEqual([]);
    const c = await census(redis.observer, redis.prefix);
    expect(c.placed, `every job should be in exactly one place: ${describeCensus(c)}`).toBe(c.enqueued);
  });

  test('a job whose handle() throws is recorded as failed, and the worker goes on with the next', async ({ redis }) => {
    await started({
      id: 'w1',
      handle: (job) => {
        if (job.id === 'bad') throw new Error('no such dish');
        return 'dried';
      },
    });
    await push(redis, raw('bad'), raw('good'));
    const good = await outcome(redis, 'good', 3000, () => 'handle() threw for "bad", and "good" got no result within 3 s: catch what handle() throws, record it, and take the next job');
    expect(good).toEqual({ ok: true, value: 'dried' });
    expect(await outcome(redis, 'bad', 100, () => 'no outcome was recorded for "bad"'), 'a job whose handle() threw should be recorded as {"ok": false, "error": <its message>}').toEqual({
      ok: false,
      error: 'no such dish',
    });
    expect(await redis.observer.hget(redis.key(K.status), 'bad'), 'jobs:status should say "failed" for it').toBe('failed');
    expect(await lrange(redis, K.processing('w1')), 'a failed job is acknowledged too (LREM)').toEqual([]);
  });

  test('registers in jobs:workers and renews its heartbeat on a second connection while it waits in BLMOVE', async ({ redis }) => {
    await started({ id: 'w1', leaseMs: 400, blockTimeoutSec: 5, handle: () => {} });
    const alive = redis.key(K.alive('w1'));
    expect(await redis.observer.sismember(redis.key(K.workers), 'w1'), 'start() should SADD the worker id to jobs:workers: the reaper finds the workers there').toBe(1);
    const first = await redis.observer.pttl(alive);
    expect(first > 0 && first <= 400, `jobs:alive:w1 should exist with an expiry of leaseMs (400 ms), PTTL was ${first}: SET it with PX leaseMs`).toBe(true);
    await redis.waitForBlocked(1);
    let renewals = 0;
    let previous = first;
    const deadline = Date.now() + 800;
    while (Date.now() < deadline) {
      const ttl = await redis.observer.pttl(alive);
      expect(
        ttl,
        'jobs:alive:w1 expired while the worker waited in BLMOVE: renewals sent on the blocking connection queue behind the BLMOVE, ' +
          'so a healthy idle worker looks dead to the reaper. Renew the heartbeat with setInterval on a second connection',
      ).toBeGreaterThan(0);
      if (ttl > previous) renewals++;
      previous = ttl;
      await pause(10);
    }
    expect(renewals, `jobs:alive:w1 was renewed ${renewals} times in 800 ms with leaseMs 400: renew it every leaseMs / 3`).toBeGreaterThanOrEqual(3);
  });

  test('several workers share the jobs: each runs exactly once, and every job is always in one place', async ({ redis }) => {
    const runs = new Map<string, number>();
    const handle = async (job: Job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await pause(2);
    };
    const invariant = watchInvariant(redis.observer, redis.prefix);
    try {
      for (const id of ['w1', 'w2', 'w3']) await started({ id, handle });
      const ids = Array.from({ length: 30 }, (_, i) => `job-${i}`);
      await push(redis, ...ids.map((id) => raw(id, { i: id })));
      await until(async () => (await redis.observer.hlen(redis.key(K.results))) === 30, 5000, async () => `only ${await redis.observer.hlen(redis.key(K.results))} of 30 jobs got a result within 5 s`);
      const twice = ids.filter((id) => runs.get(id) !== 1);
      expect(twice.map((id) => `${id} ran ${runs.get(id) ?? 0} times`), 'each job should run exactly once').toEqual([]);
    } finally {
      await invariant.stop();
    }
    const broken = invariant.broken();
    expect(broken && describeCensus(broken), 'waiting + processing + done + dead must equal enqueued at every moment; one sample did not add up').toBeUndefined();
  });

  test('stop() lets the job in progress finish, then leaves: heartbeat deleted, unregistered, connections closed', async ({ redis }) => {
    const gate = deferred();
    const began = deferred();
    const worker = await started({
      id: 'w1',
      handle: async () => {
        began.resolve();
        await gate.promise;
      },
    });
    await push(redis, raw('slow'));
    await within(began.promise, 3000, () => 'handle() was not called within 3 s of a job being pushed');
    let settled = false;
    const stopping = worker.stop().finally(() => (settled = true));
    stopping.catch(() => {});
    await Promise.race([stopping.catch(() => {}), pause(300)]);
    expect(settled, 'stop() resolved while handle() was still running: set the flag, and resolve only once the loop has ended after its job').toBe(false);
    await push(redis, raw('later'));
    gate.resolve();
    await within(stopping, 3000, () => 'stop() did not resolve within 3 s after the job finished: end the loop when the flag is set, after the job');
    expect(await outcome(redis, 'slow', 100, () => 'the job in progress got no result: it must finish and be recorded before stop() resolves')).toEqual({ ok: true, value: null });
    expect(await lrange(redis, K.waiting), 'a job pushed after stop() must stay waiting: check the flag before every BLMOVE').toEqual([raw('later')]);
    expect(await redis.observer.exists(redis.key(K.alive('w1'))), 'after stop(), jobs:alive:w1 should be gone (DEL it once the loop has ended)').toBe(0);
    expect(await redis.observer.sismember(redis.key(K.workers), 'w1'), 'after stop(), w1 should be out of jobs:workers (SREM)').toBe(0);
    expect((await redis.clients()).map((client) => client.client), 'after stop(), the worker should have quit() both its connections').toEqual([]);
  });

  test('killed with SIGKILL in the middle of a job (a real process), it leaves the job in its processing list, not lost', async ({ redis }) => {
    const child = await workerProcess(redis, 'w9', 5000);
    const job = raw('hang-1', { hangFirstRun: true });
    await push(redis, job);
    await alive(child, until(async () => (await redis.observer.hget(redis.key(K.runs), 'hang-1')) === '1', 8000, () => ''), 8000, 'start the job (tasks.ts counts it in jobs:runs)');
    await child.kill('SIGKILL');
    const c = await census(redis.observer, redis.prefix);
    expect(
      c.placed,
      `the worker was killed while it ran hang-1, and the job is now nowhere in Redis (${describeCensus(c)}): it lived only in the dead ` +
        'process. BLMOVE it into jobs:processing:<worker id>, so it stays in Redis until it is acknowledged',
    ).toBe(c.enqueued);
    expect(await lrange(redis, K.processing('w9')), 'the job should wait in jobs:processing:w9, exactly as it was taken, for the reaper').toEqual([job]);
    expect(await redis.observer.sismember(redis.key(K.workers), 'w9'), 'the dead worker should still be in jobs:workers, so that the reaper looks at it').toBe(1);
  });

  test('checks its options', () => {
    const handle = () => {};
    expect(() => new QueueWorker({ handle: 'print' as never }), 'a handle that is not a function should throw a TypeError naming `handle`').toThrow(/handle/);
    expect(() => new QueueWorker({ handle, leaseMs: -5 }), 'leaseMs: -5 should throw a TypeError naming `leaseMs`').toThrow(/leaseMs/);
    expect(() => new QueueWorker({ handle, blockTimeoutSec: -1 }), 'blockTimeoutSec: -1 should throw a TypeError naming it').toThrow(/blockTimeoutSec/);
  });
});

/** Registers worker `id` as holding `jobs`; alive (its heartbeat key set) or dead (no heartbeat key). */
async function holding(redis: RedisKit, id: string, state: 'alive' | 'dead', ...jobs: string[]): Promise<void> {
  const key = redis.key;
  const multi = redis.observer.multi().sadd(key(K.workers), id).incrby(key(K.enqueued), jobs.length);
  if (jobs.length > 0) multi.rpush(key(K.processing(id)), ...jobs);
  for (const job of jobs) multi.hset(key(K.status), (JSON.parse(job) as Job).id, 'processing');
  if (state === 'alive') multi.set(key(K.alive(id)), '1', 'PX', 20_000);
  await multi.exec();
}

const MOVES = ['LREM', 'RPUSH', 'LPUSH', 'RPOP', 'LPOP', 'LSET', 'RPUSHX', 'LPUSHX'];

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
    const moves = [...new Set(commands.filter((command) => MOVES.includes(command)))];
    expect(
      moves,
      `your reaper moved the job with ${[...new Set(commands.filter((c) => [...MOVES, 'LRANGE', 'LINDEX'].includes(c)))].join(', ')}: between those ` +
        'commands the job is in two places or in none, so a second reaper, or a worker coming back, can run it twice or lose it. ' +
        'Move it in one step: a Lua script (EVAL) that pops, counts and pushes, or LMOVE',
    ).toEqual([]);
    expect(
      commands.some((command) => ['EVAL', 'EVALSHA', 'EVAL_RO', 'FCALL', 'LMOVE'].includes(command)),
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

  test('a worker killed with SIGKILL mid-job: another worker does the job again, it is recorded once, and every job is always in one place', async ({ redis }) => {
    const invariant = watchInvariant(redis.observer, redis.prefix);
    try {
      const [w1, w2] = await Promise.all([workerProcess(redis, 'w1', 1000), workerProcess(redis, 'w2', 1000)]);
      const hang = raw('hang', { hangFirstRun: true, n: 4 });
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

  test('checks its options', async ({ redis }) => {
    await expect(reapOnce(redis.client('reaper'), { maxAttempts: 0 }), 'maxAttempts: 0 should reject with a TypeError naming `maxAttempts`').rejects.toThrow(/maxAttempts/);
  });
});

/** Serves createServer() of the check on a free loopback port; closed when the check ends. */
async function serve(redis: RedisKit, maxBodyBytes?: number): Promise<{ url: string; server: Server }> {
  const server = createServer(redis.client('http'), maxBodyBytes === undefined ? {} : { maxBodyBytes });
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  await within(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())), 2000, () => 'the server did not start listening within 2 s');
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

/**
 * Sends a body of `total` bytes (declared in Content-Length, or chunked when `declare` is false)
 * but stops after `cap` bytes without ending it; resolves with the status if an answer came within `ms`.
 */
function oversize(url: string, total: number, declare: boolean, cap: number, ms: number): Promise<{ status?: number; sent: number }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = declare ? { 'content-length': String(total) } : {};
    const req = httpRequest(new URL('/jobs', url), { method: 'POST', headers, agent: false });
    let sent = 0;
    let done = false;
    const finish = (status?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, sent });
    };
    const timer = setTimeout(() => finish(), ms);
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode);
    });
    req.on('error', () => finish());
    const chunk = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
    const pump = () => {
      while (!done && sent < cap) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

step('06c', () => {
  test('POST /jobs with a JSON object enqueues it and answers 202 with its id; GET /jobs/<id> shows it waiting', async ({ redis }) => {
    const { url } = await serve(redis);
    const data = { n: 12, dish: '饺子' };
    const reply = await call(url, 'POST', '/jobs', JSON.stringify(data), { 'content-type': 'application/json' });
    expect(reply.status, `POST /jobs answered ${reply.status} ${reply.text}: a job taken in (not done yet) is 202 Accepted`).toBe(202);
    const { id } = reply.json() as { id: string };
    expect(typeof id, `the answer should be JSON {"id": "<the job's id>"}, got ${reply.text}`).toBe('string');
    const waiting = (await lrange(redis, K.waiting)).map((entry) => JSON.parse(entry) as unknown);
    expect(waiting, 'the posted object should wait in jobs:waiting as {"id", "data"}: use enqueue()').toEqual([{ id, data }]);
    const view = await call(url, 'GET', `/jobs/${id}`);
    expect(view.status, `GET /jobs/${id} answered ${view.status} ${view.text}`).toBe(200);
    expect(view.json(), 'GET /jobs/<id> should answer the job as readJob() gives it').toMatchObject({ id, status: 'waiting' });
  });

  test('GET /jobs/<id> shows the result once the job is done, the error once it failed, and dead jobs', async ({ redis }) => {
    const { url } = await serve(redis);
    const key = redis.key;
    await redis.observer
      .multi()
      .hset(key(K.status), 'j-done', 'done', 'j-failed', 'failed', 'j-dead', 'dead')
      .hset(key(K.results), 'j-done', JSON.stringify({ ok: true, value: { square: 81, run: 1 } }), 'j-failed', JSON.stringify({ ok: false, error: 'boom' }))
      .hset(key(K.attempts), 'j-dead', '3')
      .exec();
    const answers = await Promise.all(['j-done', 'j-failed', 'j-dead'].map((id) => call(url, 'GET', `/jobs/${id}`)));
    expect(answers.map((answer) => answer.status), 'each known job should be answered 200').toEqual([200, 200, 200]);
    expect(answers[0]!.json(), 'a done job shows its result').toMatchObject({ id: 'j-done', status: 'done', result: { square: 81, run: 1 } });
    expect(answers[1]!.json(), 'a failed job shows its error').toMatchObject({ id: 'j-failed', status: 'failed', error: 'boom' });
    expect(answers[2]!.json(), 'a dead job shows its attempts').toMatchObject({ id: 'j-dead', status: 'dead', attempts: 3 });
    expect(answers[0]!.headers['content-type'], 'answers are JSON: Content-Type application/json').toMatch(/^application\/json/);
  });

  test('an unknown id or route is 404, a wrong method 405', async ({ redis }) => {
    const { url } = await serve(redis);
    const cases: Array<[string, string, number]> = [
      ['GET', '/jobs/no-such-job', 404],
      ['GET', '/', 404],
      ['GET', '/nothing/here', 404],
      ['POST', '/job', 404],
      ['GET', '/jobs', 405],
      ['DELETE', '/jobs/abc', 405],
      ['PUT', '/jobs', 405],
    ];
    for (const [method, path, status] of cases) {
      const reply = await call(url, method, path, method === 'GET' ? undefined : '{}');
      expect(reply.status, `${method} ${path} was answered ${reply.status}; expected ${status}`).toBe(status);
    }
    expect(await lrange(redis, K.waiting), 'none of these requests should enqueue anything').toEqual([]);
  });

  test('a body over maxBodyBytes is 413, answered before the client has sent it all', async ({ redis }) => {
    const { url } = await serve(redis, 1024);
    const exact = `{"pad":"${'x'.repeat(1024 - 10)}"}`;
    const fits = await call(url, 'POST', '/jobs', exact);
    expect(fits.status, `a body of exactly maxBodyBytes (1024) bytes should be accepted, got ${fits.status} ${fits.text}`).toBe(202);
    for (const declare of [true, false]) {
      const how = declare ? 'a 50 MB body announced in Content-Length' : 'a chunked body with no Content-Length';
      const { status, sent } = await oversize(url, 50_000_000, declare, 8_000_000, 3000);
      expect(
        status,
        `your server had not answered ${how} after the client had sent ${(sent / 1e6).toFixed(1)} MB and waited: answer 413 as soon as the body is ` +
          'known to be too big (from Content-Length, or once the bytes read pass maxBodyBytes), and stop reading it. Reading it all first lets any client fill your memory',
      ).toBe(413);
    }
    const after = await call(url, 'GET', '/jobs/none');
    expect(after.status, 'after the big bodies, the server should still answer').toBe(404);
    expect((await lrange(redis, K.waiting)).length, 'only the body that fits should have been enqueued').toBe(1);
  });

  test('bad JSON is 400, and nothing a client sends crashes the server (run here in a process of its own)', async ({ redis }) => {
    const child = startChild('your server', SERVER_HELPER, [pathToFileURL(targetFile('server.ts')).href, '1024'], {}, redis.prefix);
    onTestFinished(killChildren);
    const port = Number((await alive(child, child.line(/^listening \d+/), 10_000, 'start listening')).split(' ')[1]);
    const url = `http://127.0.0.1:${port}`;
    /** Runs one abuse; if the server process died of it, says so. */
    const abuse = async (what: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (error) {
        await Promise.race([child.exited, pause(2000)]);
        if (!child.exit()) throw error;
      }
      if (!child.exit()) await Promise.race([child.exited, pause(20)]);
      if (child.exit()) {
        throw new Error(
          `your server process died (${describeExit(child)}) after ${what}. What it printed:${tail(child)}\n` +
            'Nothing a client sends may end the server: catch what JSON.parse throws (answer 400), and end your async request handler with .catch() that answers 500',
        );
      }
    };
    const expectStatus = async (what: string, method: string, path: string, body: string | Buffer | undefined, status: number) =>
      abuse(what, async () => {
        const reply = await call(url, method, path, body, { 'content-type': 'application/json' });
        expect(reply.status, `${what} was answered ${reply.status} ${reply.text}; expected ${status}`).toBe(status);
      });
    await expectStatus('POST /jobs with the body {"n": 1 (JSON cut short)', 'POST', '/jobs', '{"n": 1', 400);
    await expectStatus('POST /jobs with an empty body', 'POST', '/jobs', '', 400);
    await expectStatus('POST /jobs with the body null', 'POST', '/jobs', 'null', 400);
    await expectStatus('POST /jobs with the body [1, 2] (not an object)', 'POST', '/jobs', '[1, 2]', 400);
    await expectStatus('POST /jobs with bytes that are not UTF-8', 'POST', '/jobs', Buffer.from([0xff, 0xfe, 0x7b]), 400);
    await expectStatus('GET /jobs/%E0%A4%A (broken percent-encoding)', 'GET', '/jobs/%E0%A4%A', undefined, 404);
    await abuse('a client that sent 10 of 1000 announced bytes and hung up', async () => {
      const req = httpRequest(new URL('/jobs', url), { method: 'POST', headers: { 'content-length': '1000' }, agent: false });
      req.on('error', () => {});
      req.write('{"n": 1, "');
      await pause(20);
      req.destroy();
    });
    await abuse('a client that hung up in the middle of a body over the limit', async () => {
      await oversize(url, 5_000_000, false, 200_000, 50);
    });
    await abuse('a request line that is not HTTP', async () => {
      const { connect } = await import('node:net');
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      // Read what comes back (a 400), or the socket never ends.
      socket.resume();
      socket.end('HELLO THERE\r\n\r\n');
      await new Promise((resolve) => socket.once('close', resolve));
    });
    await expectStatus('GET /jobs/unknown after all that', 'GET', '/jobs/unknown', undefined, 404);
  });

  test('checks its options', ({ redis }) => {
    expect(() => createServer(redis.client('http'), { maxBodyBytes: -1 }), 'maxBodyBytes: -1 should throw a TypeError naming `maxBodyBytes`').toThrow(/maxBodyBytes/);
  });
});

/** Starts the app of the check; closed (with a time limit) when the check ends. */
async function app(options: Parameters<typeof startApp>[0]): Promise<App> {
  const started = await within(startApp(options), 5000, () => 'startApp() did not resolve within 5 s: resolve once the workers have started and the server listens');
  onTestFinished(() => within(started.close(), 2000, () => '').catch(() => {}));
  return started;
}

/**
 * Calls close() and explains how it ended when it is wrong: late (no CLIENT UNBLOCK, or still
 * blocked), or done without CLIENT UNBLOCK while workers were blocked. Returns how long it took.
 */
async function closed(redis: RedisKit, tap: { sent: Sent[] }, running: App, closing?: Promise<void>): Promise<number> {
  const from = tap.sent.length;
  const t0 = performance.now();
  const run = closing ?? running.close();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    run.then(
      () => ({ kind: 'done' as const }),
      (error: unknown) => ({ kind: 'failed' as const, error }),
    ),
    new Promise<{ kind: 'late' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'late' }), closing ? 3000 : CLOSE_LIMIT_MS))),
  ]).finally(() => clearTimeout(timer));
  const ms = performance.now() - t0;
  const unblocks = tap.sent.slice(from).filter((sent) => sent.command === 'CLIENT UNBLOCK');
  if (outcome.kind === 'late') {
    const blocked = (await redis.clients()).filter((client) => client.blocked).map((client) => client.client);
    throw new Error(
      unblocks.length === 0
        ? `close() has not returned after ${Math.round(ms)} ms, and it sent no CLIENT UNBLOCK: it is waiting out the workers' BLMOVE timeout ` +
            `(30 s). Still blocked: ${blocked.join(', ') || 'none'}. Set every worker's stop flag, then send CLIENT UNBLOCK <worker.clientId> from another connection`
        : `close() has not returned after ${Math.round(ms)} ms although it sent CLIENT UNBLOCK ${unblocks.map((sent) => `${sent.args[0]} (answered ${String(sent.reply)})`).join(', ')}. ` +
            `Still blocked: ${blocked.join(', ') || 'none'}. An UNBLOCK answered 0 found no blocked client: send it again while worker.blocking`,
    );
  }
  if (outcome.kind === 'failed') {
    throw new Error(
      `close() failed with "${(outcome.error as Error)?.message ?? String(outcome.error)}"${unblocks.length === 0 ? ' and sent no CLIENT UNBLOCK' : ''}. ` +
        'Dropping the workers\' connections (disconnect(), CLIENT KILL) cuts a BLMOVE or an acknowledgement short; set the flags, CLIENT UNBLOCK, and let each worker quit',
    );
  }
  return ms;
}

step('06d', () => {
  test('startApp() serves POST and GET, and its workers do the jobs', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const running = await app({ workers: 2 });
    expect(running.url, 'url should be like http://127.0.0.1:<port>').toBe(`http://127.0.0.1:${running.port}`);
    const posted = await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 9 }));
    expect(posted.status, `POST /jobs answered ${posted.status} ${posted.text}`).toBe(202);
    const { id } = posted.json() as { id: string };
    let view: { status?: string; result?: unknown } = {};
    await until(
      async () => {
        view = (await call(running.url, 'GET', `/jobs/${id}`)).json() as typeof view;
        return view.status === 'done';
      },
      3000,
      () => `the job posted was not done within 3 s; GET /jobs/${id} says ${JSON.stringify(view)}. Does startApp() start its workers with the demo task (perform)?`,
    );
    expect(view.result, 'the demo task squares n: 9 gives 81').toEqual({ square: 81, run: 1 });
    await closed(redis, tap, running);
  });

  test('close() returns at once although the workers wait in BLMOVE for 30 s: the flags, then CLIENT UNBLOCK', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const running = await app({ workers: 3, blockTimeoutSec: 30 });
    await redis.waitForBlocked(3);
    const ids = running.workers.map((worker) => String(worker.clientId));
    const ms = await closed(redis, tap, running);
    expect(ms, `close() took ${Math.round(ms)} ms; with CLIENT UNBLOCK it takes a few`).toBeLessThan(CLOSE_LIMIT_MS);
    const unblocked = tap.sent.filter((sent) => sent.command === 'CLIENT UNBLOCK').map((sent) => sent.args[0]);
    for (const id of ids) {
      expect(unblocked, `close() should CLIENT UNBLOCK each worker's clientId [${ids.join(', ')}], it unblocked [${unblocked.join(', ')}]`).toContain(id);
    }
    await redis.trace.settle();
    expect(redis.trace.commands({ command: 'BLMOVE' }).map((event) => event.args.at(-1)), 'the workers should BLMOVE with blockTimeoutSec (30 here)').toContain('30');
  });

  test('close() first stops taking connections, then lets the job in progress finish and acknowledges it', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const gate = deferred();
    const began = deferred<string>();
    const running = await app({
      workers: 2,
      handle: async (job) => {
        began.resolve(job.id);
        await gate.promise;
        return 'finished';
      },
    });
    const posted = await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 1 }));
    const { id } = posted.json() as { id: string };
    await within(began.promise, 3000, () => 'the job posted did not reach handle() within 3 s');
    let settled = false;
    const closing = running.close().finally(() => (settled = true));
    closing.catch(() => {});
    let isRefused = false;
    await until(async () => (isRefused = await refused(running.port)) || settled, 500, () => '').catch(() => {});
    expect(
      isRefused,
      'after close() was called, the HTTP port still took new connections while a job was running: call server.close() first, so that no ' +
        'new request comes in while you wait for the workers',
    ).toBe(true);
    await Promise.race([closing.catch(() => {}), pause(300)]);
    expect(
      settled,
      'close() resolved while a job was still running: a job in progress must finish and be acknowledged first. Await every worker\'s stop() ' +
        '(each ends after its current job) before you resolve',
    ).toBe(false);
    await push(redis, raw('late'));
    gate.resolve();
    await closed(redis, tap, running, closing);
    expect(JSON.parse((await redis.observer.hget(redis.key(K.results), id)) ?? 'null'), 'the job in progress should have finished and been recorded').toEqual({
      ok: true,
      value: 'finished',
    });
    const c = await census(redis.observer, redis.prefix);
    expect(Object.values(c.processing).reduce((a, b) => a + b, 0), `the job in progress should be acknowledged (LREM): ${describeCensus(c)}`).toBe(0);
    expect(await lrange(redis, K.waiting), 'a job pushed after close() must stay waiting for the next start: no worker may take a new job').toEqual([raw('late')]);
  });

  test('after close() nothing is left: no connection, no worker registered, the port refuses', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const running = await app({ workers: 2, reapIntervalMs: 10 });
    const posted = await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 2 }));
    const { id } = posted.json() as { id: string };
    await outcome(redis, id, 3000, () => 'the job posted was not done within 3 s');
    await closed(redis, tap, running);
    expect((await redis.clients()).map((client) => `${client.client} (${client.cmd})`), 'after close(), every connection of the app should be closed with quit()').toEqual([]);
    expect(await redis.observer.smembers(redis.key(K.workers)), 'after close(), no worker should be left in jobs:workers').toEqual([]);
    expect(await refused(running.port), 'after close(), the HTTP port should refuse connections').toBe(true);
  });

  test('a load of 300 POSTs from a second process: every accepted job is done exactly once, none lost', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const running = await app({ workers: 4 });
    const t0 = performance.now();
    const client = startChild('the load client', LOAD_HELPER, [running.url, '300', '10', '15000'], {}, redis.prefix);
    onTestFinished(killChildren);
    const line = await alive(client, client.line(/^\{/), 20_000, 'finish its 300 requests');
    const summary = JSON.parse(line) as { requests: number; accepted: number; ids: string[]; statuses: Record<string, number>; errors: string[]; errorCount: number; ms: number };
    expect(summary.accepted, `of ${summary.requests} POSTs, ${summary.accepted} were accepted; answers ${JSON.stringify(summary.statuses)}, errors ${JSON.stringify(summary.errors)}`).toBe(300);
    const results = redis.key(K.results);
    await until(async () => (await redis.observer.hlen(results)) >= summary.accepted, 10_000, async () =>
      `only ${await redis.observer.hlen(results)} of ${summary.accepted} accepted jobs were done 10 s after the load ended: ${describeCensus(await census(redis.observer, redis.prefix))}`,
    );
    const doneMs = performance.now() - t0;
    const runs = await redis.observer.hmget(redis.key(K.runs), ...summary.ids);
    const done = await redis.observer.hmget(results, ...summary.ids);
    const lost = summary.ids.filter((_, i) => done[i] === null);
    const duplicated = summary.ids.filter((_, i) => Number(runs[i]) > 1);
    if (process.env.LESSON06_FIGURES) {
      console.log(`load: ${JSON.stringify({ requests: summary.requests, accepted: summary.accepted, completed: summary.accepted - lost.length, lost: lost.length, duplicated: duplicated.length, clientMs: summary.ms, allDoneMs: Math.round(doneMs) })}`);
    }
    expect(lost, 'these accepted jobs have no result: a job accepted (202) must be done').toEqual([]);
    expect(duplicated, 'these jobs ran more than once under load').toEqual([]);
    expect(new Set(summary.ids).size, 'every accepted job should have its own id').toBe(summary.accepted);
    const c = await census(redis.observer, redis.prefix);
    expect(c.placed === c.enqueued && c.done === summary.accepted, `after the load: ${describeCensus(c)}`).toBe(true);
    await closed(redis, tap, running);
  });
});
