/** Lesson 05, step 05a: the WorkerPool. Loaded by test/05-client-unblock.test.ts. */
import { vi } from 'vitest';
import { WorkerPool } from '#target/05-client-unblock/worker-pool.ts';
import { throughProxy } from './proxy.ts';
import { describeLeft, watchResources } from './leftovers.ts';
import { blockedNow, connectedNow, deferred, pause, settledStop, started, stopped, STOP_LIMIT_MS, test, until, within } from './lesson-05.ts';
import { expect, step } from './workshop-test.ts';
import { drawn, fc } from './draw.ts';
import { contractChecks } from './contract/checks.ts';
import { poolProbe } from './contract/lesson-05.ts';

step('05a', () => {
  test('.start() resolves once every worker waits in BLPOP, each on its own connection with its own CLIENT ID (drawn)', async ({ redis, tap }) => {
    await drawn(fc.integer({ min: 1, max: 5 }), { name: '05a workers', runs: 2, examples: [1, 5], shrink: false, describe: (n) => `with workers: ${n}` }, async (workers) => {
      const pool = new WorkerPool({ workers, handle: () => {} });
      try {
        await started(redis, pool);
        const blocked = (await redis.clients()).filter((client) => client.blocked);
        const ids = pool.clientIds.map(String);
        expect(
          new Set(ids).size === ids.length,
          `clientIds is [${ids.join(', ')}]: your workers share a connection. One connection runs one BLPOP at a time (the others queue ` +
            'behind it) and CLIENT UNBLOCK cannot tell the workers apart: give each worker its own connect()',
        ).toBe(true);
        expect(
          blocked.length,
          `start() resolved while Redis listed ${blocked.length} of your ${workers} workers as blocked: resolve only once every worker waits in BLPOP ` +
            '(CLIENT LIST shows flag b for its id)',
        ).toBe(workers);
        expect(ids.length, `clientIds should hold the ${workers} workers' CLIENT IDs once start() has resolved, got [${ids.join(', ')}]`).toBe(workers);
        for (const id of ids) {
          expect(
            blocked.map((client) => client.id),
            `clientIds holds ${id}, but no blocked client of yours has that id: ask CLIENT ID on the worker's own connection, the one that sends BLPOP`,
          ).toContain(id);
        }
      } catch (error) {
        // A failed draw is told as it is (no shrinking: a pool that would not stop would blur the next run).
        await Promise.race([pool.stop().catch(() => {}), pause(1000)]);
        throw error;
      }
      await stopped(redis, tap, pool);
    });
  });

  test('.stop() returns at once although BLPOP would wait 30 s, by sending CLIENT UNBLOCK from another connection', async ({ redis, tap }) => {
    const pool = new WorkerPool({ workers: 2, handle: () => {} });
    await started(redis, pool);
    const ids = pool.clientIds.map(String);
    const ms = await stopped(redis, tap, pool);
    expect(ms, `stop() took ${Math.round(ms)} ms; with CLIENT UNBLOCK it takes a few`).toBeLessThan(STOP_LIMIT_MS);
    await redis.trace.settle();
    const timeouts = redis.trace.commands({ command: 'BLPOP' }).map((event) => event.args.at(-1));
    expect(timeouts, 'the workers should BLPOP with blockTimeoutSec, 30 s by default: stop() must not depend on a short timeout').toContain('30');
    // MONITOR leaves CLIENT UNBLOCK out (Redis hides admin commands from it): the tap saw it on its way out.
    const unblocked = tap.commands('CLIENT UNBLOCK').map((sent) => sent.args[0]);
    for (const id of ids) {
      expect(unblocked, `stop() sent CLIENT UNBLOCK for [${unblocked.join(', ')}], but the workers' ids are [${ids.join(', ')}]: unblock each of them`).toContain(id);
    }
    const workers = new Set(tap.workers());
    const from = tap.commands('CLIENT UNBLOCK').filter((sent) => workers.has(sent.conn));
    expect(from.map((sent) => sent.client), 'CLIENT UNBLOCK must come from a connection that is not blocked itself, not from a worker\'s').toEqual([]);
  });

  test('.stop() lets the job in progress finish and starts no new one', async ({ redis, tap }) => {
    const gate = deferred();
    const began = deferred();
    const begun: string[] = [];
    const finished: string[] = [];
    const pool = new WorkerPool({
      workers: 2,
      handle: async (job) => {
        begun.push(job);
        began.resolve();
        await gate.promise;
        finished.push(job);
      },
    });
    await started(redis, pool);
    const producer = tap.ignore(redis.client('producer'));
    await producer.rpush('jobs', 'first');
    await within(began.promise, 2000, () => '"first" was pushed while both workers waited in BLPOP, but handle() was not called within 2 s');

    const mark = tap.mark();
    let settled = false;
    const run = pool.stop();
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The idle worker is woken by CLIENT UNBLOCK and leaves; the busy one is not in BLPOP and needs no waking.
    await until(async () => (await blockedNow(redis)).length === 0, STOP_LIMIT_MS, async () =>
      `after stop(), ${(await blockedNow(redis)).join(', ')} was still blocked in BLPOP: stop() must unblock the idle worker while the other is busy`,
    );
    // Give a stop() that does not wait for the job every chance to show it.
    await Promise.race([run.catch(() => {}), pause(500)]);
    expect(
      settled,
      'stop() resolved while handle("first") was still running: a job in progress must finish before stop() resolves. ' +
        'Await every worker\'s loop (each ends after its current job) before you resolve',
    ).toBe(false);
    await producer.rpush('jobs', 'second');
    gate.resolve();
    await settledStop(redis, tap, run, mark);
    expect(finished, 'the job in progress when stop() was called must finish: stop() lets it end, then the worker sees the flag').toEqual(['first']);
    expect(begun, 'after stop(), no worker may start a new job: check the stop flag before every BLPOP, also after a job').toEqual(['first']);
    expect(
      await redis.observer.lrange(redis.key('jobs'), 0, -1),
      '"second" was pushed after stop() and should still be in the list, for the next pool to take',
    ).toEqual(['second']);
  });

  test('.stop() also unblocks a worker whose BLPOP is still on its way to Redis (UNBLOCK answers 0 until it has arrived)', async ({ redis, tap }) => {
    // The pool's connections go through a proxy that can make a command arrive late: the worker's
    // BLPOP after its job is held there until stop()'s first CLIENT UNBLOCK has been answered.
    await throughProxy(redis, async (proxy) => {
      const pool = new WorkerPool({ workers: 1, handle: () => {} });
      await started(redis, pool);
      const hold = proxy.hold(/BLPOP/i);
      await tap.ignore(redis.client('producer')).rpush('jobs', 'one');
      await within(hold.held, 2000, () => 'the worker did not send BLPOP again within 2 s of taking its job');
      const mark = tap.mark();
      const run = pool.stop();
      run.catch(() => {});
      const answered = () => tap.commands('CLIENT UNBLOCK').some((sent) => sent.seq >= mark.seq && sent.done);
      // A stop() that sends no UNBLOCK at all is explained by settledStop() below.
      await until(answered, STOP_LIMIT_MS, () => '').catch(() => {});
      hold.release();
      await settledStop(redis, tap, run, mark);
    });
  });

  test('.start() waits for every worker, also one whose BLPOP is slow to reach Redis', async ({ redis, tap }) => {
    // The pool's connections go through a proxy that holds the first BLPOP: one worker is blocked,
    // the other's BLPOP has not arrived. start() must not resolve until it has.
    await throughProxy(redis, async (proxy) => {
      const hold = proxy.hold(/BLPOP/i);
      const pool = new WorkerPool({ workers: 2, handle: () => {} });
      let resolved = false;
      const run = pool.start().then(() => void (resolved = true));
      run.catch(() => {});
      await within(hold.held, 2000, () => 'the workers sent no BLPOP within 2 s of start()');
      await redis.waitForBlocked(1);
      // A pool that is going to resolve early does so within a few of its looks at Redis.
      await until(() => resolved, 200, () => '').catch(() => {});
      const early = resolved;
      hold.release();
      await within(run, 2000, () => 'start() had not resolved 2 s after the slow BLPOP reached Redis and both workers were blocked');
      expect(
        early,
        'start() resolved while one of the 2 workers was blocked and the other\'s BLPOP had not reached Redis yet: look again until ' +
          'every worker\'s own id is listed as blocked (one blocked client is not all of them)',
      ).toBe(false);
      await stopped(redis, tap, pool);
    });
  });

  test('.stop() closes every connection the pool opened, and leaves no timer or socket behind', async ({ redis, tap }) => {
    const watch = watchResources();
    const pool = new WorkerPool({ workers: 2, handle: () => {} });
    await started(redis, pool);
    await stopped(redis, tap, pool);
    expect(
      await connectedNow(redis),
      'after stop() resolved, these connections were still open: each worker should quit() its own connection when its loop ends, ' +
        'and stop() should quit() the one it sent CLIENT UNBLOCK from',
    ).toEqual([]);
    const left = await watch.left();
    expect(
      describeLeft(left),
      `after stop() resolved, your pool left ${describeLeft(left)}, as Node reported 1 s later: a timer your pool or its stop() started ` +
        'was still pending. Clear it (clearTimeout, clearInterval) before stop() resolves: a pending timer keeps the process running',
    ).toBe('nothing');
  });

  test('two pools on two queues are independent: stopping one leaves the other taking jobs', async ({ redis, tap }) => {
    const got = deferred<string>();
    const a = new WorkerPool({ workers: 1, queue: 'jobs-a', handle: () => {} });
    const b = new WorkerPool({ workers: 1, queue: 'jobs-b', handle: (job) => got.resolve(job) });
    await started(redis, a);
    await started(redis, b);
    await stopped(redis, tap, a);
    const shared = 'Two WorkerPools shared their stop flag: keep it in the instance (this.stopping), not at module level';
    const blocked = await blockedNow(redis);
    expect(blocked, `after stop() of one pool, the other pool's worker should still wait in BLPOP, but Redis lists ${blocked.length} client(s) of yours as blocked. ${shared}`).toHaveLength(1);
    await tap.ignore(redis.client('producer')).rpush('jobs-b', 'after');
    await within(got.promise, 2000, () => `after stop() of one pool, a job pushed to the other pool's queue was not handled within 2 s. ${shared}`);
    await until(async () => (await blockedNow(redis)).length === 1, 2000, () =>
      `after stop() of one pool, the other pool's worker did its job and then left instead of waiting in BLPOP again. ${shared}`,
    );
    await stopped(redis, tap, b);
  });

  test('two idle workers take jobs in turn', async ({ redis, tap }) => {
    const handled = new Map<string, () => void>();
    const numbers = new Set<unknown>();
    const pool = new WorkerPool({
      workers: 2,
      handle: (job, worker) => {
        numbers.add(worker);
        handled.get(job)?.();
      },
    });
    await started(redis, pool);
    const producer = tap.ignore(redis.client('producer'));
    const jobs = ['A', 'B', 'C', 'D', 'E', 'F'];
    for (const job of jobs) {
      // Both workers waiting again, so Redis picks the one that has waited longest.
      await redis.waitForBlocked(2);
      const done = deferred();
      handled.set(job, done.resolve);
      await producer.rpush('jobs', job);
      await within(done.promise, 2000, () => `job ${job} was pushed while both workers waited, but handle() did not get it within 2 s`);
    }
    await stopped(redis, tap, pool);
    // Who got what, from the BLPOP replies, not from the order the handlers ran in.
    const takers = jobs.map((job) => tap.commands('BLPOP').find((sent) => Array.isArray(sent.reply) && sent.reply[1] === job)?.client ?? '?');
    const [first, second] = takers;
    expect(
      first !== second && takers.every((taker, i) => taker === (i % 2 === 0 ? first : second)),
      `jobs ${jobs.join(', ')} went to ${takers.join(', ')}: with both workers blocked, Redis hands each job to the one that ` +
        'has waited longest, so they should take turns. Is each worker in BLPOP on its own connection, again right after its job?',
    ).toBe(true);
    const got = [...numbers].map(String).sort();
    expect(
      got,
      `handle(job, worker) was told workers [${got.join(', ')}]: with workers: 2 they are numbered 1 and 2 (the first worker is 1), each job with the number of the worker that took it`,
    ).toEqual(['1', '2']);
  });

  test('.stop() twice is harmless, and stop() before start() resolves at once', async ({ redis, tap }) => {
    const idle = new WorkerPool({ workers: 2, handle: () => {} });
    await within(idle.stop(), STOP_LIMIT_MS, () => 'stop() on a pool that was never started should resolve at once: there is nothing to stop');
    const pool = new WorkerPool({ workers: 2, handle: () => {} });
    await started(redis, pool);
    const mark = tap.mark();
    const both = Promise.all([pool.stop(), pool.stop()]).then(() => {});
    await settledStop(redis, tap, both, mark);
    await within(pool.stop(), STOP_LIMIT_MS, () => 'a third stop(), after the pool has stopped, should resolve at once');
    expect(await connectedNow(redis), 'stopping twice should leave nothing connected').toEqual([]);
  });

  test('a job whose handle() throws goes to onError, and the worker goes on with the next', async ({ redis, tap }) => {
    const failures: Array<[string, string]> = [];
    const handled: string[] = [];
    const next = deferred();
    const pool = new WorkerPool({
      workers: 1,
      handle: (job) => {
        if (job === 'bad') throw new Error('no such file');
        handled.push(job);
        next.resolve();
      },
      onError: (error, job) => failures.push([job, (error as Error).message]),
    });
    await started(redis, pool);
    await tap.ignore(redis.client('producer')).rpush('jobs', 'bad', 'good');
    await within(next.promise, 2000, () =>
      `handle() threw for "bad" and the worker did not go on to "good" within 2 s (onError got ${JSON.stringify(failures)}): ` +
      'catch what handle() throws, report it to onError, and take the next job',
    );
    expect(failures, 'onError should get the error handle() threw, with its job').toEqual([['bad', 'no such file']]);
    await stopped(redis, tap, pool);

    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const quiet = new WorkerPool({ workers: 1, handle: () => Promise.reject(new Error('disk full')) });
      await started(redis, quiet);
      await tap.ignore(redis.client('producer2')).rpush('jobs', 'x');
      await until(() => logged.mock.calls.length > 0, 2000, () => 'without onError, a job whose handle() rejects should be logged with console.error');
      expect(logged.mock.calls.flat().map(String).join(' '), 'the log should name the failed job').toMatch(/x/);
      await stopped(redis, tap, quiet);
    } finally {
      logged.mockRestore();
    }
  });

  test('keeps waiting after a BLPOP times out (blockTimeoutSec is in seconds)', async ({ redis, tap }) => {
    const got = deferred<string>();
    const pool = new WorkerPool({ workers: 1, blockTimeoutSec: 0.1, handle: (job) => got.resolve(job) });
    await started(redis, pool);
    await until(() => tap.commands('BLPOP').length >= 3, 2000, () =>
      `with blockTimeoutSec 0.1, BLPOP answers null every 0.1 s and the worker should block again; it sent ${tap.commands('BLPOP').length} BLPOP in 2 s`,
    );
    expect(tap.commands('BLPOP')[0]?.args.at(-1), 'BLPOP takes its timeout in seconds: pass blockTimeoutSec as it is').toBe('0.1');
    await tap.ignore(redis.client('producer')).rpush('jobs', 'late');
    expect(await within(got.promise, 2000, () => 'after some timeouts, a job pushed was not handled within 2 s: a null from BLPOP is not a reason to stop')).toBe('late');
    await stopped(redis, tap, pool);
  });

  test('.stop() right after start() ends everything quickly', async ({ redis, tap }) => {
    for (let round = 0; round < 5; round++) {
      const pool = new WorkerPool({ workers: 2, handle: () => {} });
      const start = pool.start();
      start.catch(() => {});
      const mark = tap.mark();
      await settledStop(redis, tap, pool.stop(), mark);
      await within(start.then(() => {}, () => {}), STOP_LIMIT_MS, () => 'start() did not settle after stop(): once the pool is stopping, start() should stop waiting');
      expect(await connectedNow(redis), `round ${round + 1}: stop() called while the workers were still connecting left connections open`).toEqual([]);
    }
  });

  test('checks its options', () => {
    const handle = () => {};
    expect(() => new WorkerPool({ workers: 0, handle }), 'workers: 0 should throw a TypeError naming `workers`').toThrow(/workers.*0/);
    expect(() => new WorkerPool({ workers: 1.5, handle }), 'workers: 1.5 should throw a TypeError').toThrow(TypeError);
    expect(() => new WorkerPool({ workers: 1, blockTimeoutSec: -1, handle }), 'blockTimeoutSec: -1 should throw a TypeError naming it').toThrow(/blockTimeoutSec/);
    expect(() => new WorkerPool({ workers: 1, blockTimeoutSec: 0, handle }), 'blockTimeoutSec: 0 is allowed (BLPOP then waits for ever): it should not throw').not.toThrow();
    expect(() => new WorkerPool({ workers: 1, handle: 'print' as never }), 'a handle that is not a function should throw a TypeError naming `handle`').toThrow(
      /handle/,
    );
  });

  contractChecks('05a', poolProbe);
});
