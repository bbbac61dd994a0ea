/** Lesson 06, step 06a: the worker. Loaded by test/06-reliable-queue.test.ts. */
import { enqueue, type Job } from '#target/06-reliable-queue/jobs.ts';
import { QueueWorker } from '#target/06-reliable-queue/worker.ts';
import { alive, lrange, outcome, push, raw, sentCommands, started, workerProcess } from './lesson-06-checks.ts';
import { describeLeft, watchResources } from './leftovers.ts';
import { census, deferred, describeCensus, K, pause, until, watchInvariant, within } from './lesson-06.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { workerProbe } from './contract/lesson-06.ts';

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
    // Judged from what Redis saw: the three writes as one step (a MULTI ... EXEC, or a script).
    await redis.trace.settle();
    const sent = redis.trace.commands({ client: 'producer' }).map((event) => event.command);
    const scripted = sent.some((command) => ['EVAL', 'EVALSHA', 'FCALL'].includes(command));
    let inside = false;
    const loose = sent.filter((command) => {
      if (command === 'MULTI') inside = true;
      else if (command === 'EXEC' || command === 'DISCARD') inside = false;
      else return !inside && ['RPUSH', 'HSET', 'INCR', 'INCRBY', 'HMSET', 'HSETNX'].includes(command);
      return false;
    });
    expect(
      scripted ? [] : loose,
      `enqueue() sent ${[...new Set(loose)].join(', ')} one by one: between them, anyone who looks (a census, the reaper, GET /jobs/<id>) sees ` +
        'the job waiting but not yet counted or marked. Send the RPUSH, the HSET and the INCR in one transaction: conn.multi()…exec()',
    ).toEqual([]);
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
        '(spacing and key order differ). Do the LREM and the HSETs in one Lua script',
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

  test('clientId names the BLMOVE connection even after a reconnect: app.ts unblocks the worker by it', async ({ redis }) => {
    const worker = await started({ id: 'w1', blockTimeoutSec: 5, handle: () => {} });
    const [first] = await redis.waitForBlocked(1);
    expect(worker.clientId, `clientId should be the CLIENT ID of the connection that waits in BLMOVE (${first!.id})`).toBe(Number(first!.id));
    // A network blip: Redis drops the connection; ioredis reconnects and sends the cut-off BLMOVE again.
    await redis.observer.client('KILL', 'ID', first!.id);
    let now: string | undefined;
    await until(
      async () => (now = (await redis.clients()).find((client) => client.blocked && client.id !== first!.id)?.id) !== undefined,
      3000,
      () => 'After its BLMOVE connection was cut, the worker did not wait in BLMOVE again within 3 s: ioredis reconnects; ask again.',
    );
    await until(
      () => worker.clientId === Number(now),
      1000,
      () =>
        `After a reconnect, clientId was still ${worker.clientId}, the id of the connection that was cut, while BLMOVE waits on connection ${now}. ` +
        'CLIENT UNBLOCK of the old id answers 0, so close() would wait out the whole BLMOVE. Learn the new id on every reconnect ' +
        "(conn.on('ready')), from the heartbeat connection: on this one, ioredis has already sent the BLMOVE again, and CLIENT ID would wait behind it.",
    );
    expect(await redis.observer.client('UNBLOCK', String(worker.clientId)), 'CLIENT UNBLOCK clientId should wake the worker from its BLMOVE').toBe(1);
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

  test('stop() lets the job in progress finish, then leaves: heartbeat deleted, unregistered, connections closed, no timer left', async ({ redis }) => {
    const watch = watchResources();
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
    const left = await watch.left();
    expect(
      describeLeft(left),
      `after stop() resolved, your worker left ${describeLeft(left)}, as Node reported 1 s later: most likely the heartbeat's setInterval. ` +
        'It keeps renewing jobs:alive after the worker has left (the reaper then thinks it alive) and keeps the process running: ' +
        'clearInterval it once the loop has ended, before stop() resolves',
    ).toBe('nothing');
  });

  test('two workers keep their own state: stopping one leaves the other taking jobs', async ({ redis }) => {
    const ran: string[] = [];
    const second = deferred();
    const one = await started({ id: 'w1', handle: (job) => void ran.push(`w1:${job.id}`) });
    const two = await started({
      id: 'w2',
      handle: (job) => {
        ran.push(`w2:${job.id}`);
        if (job.id === 'after-stop') second.resolve();
      },
    });
    // w2 asks for jobs with BLMOVE into jobs:processing:w2 every 0.1 s: once it has asked again after w1 stopped, it has seen w1's stop.
    const asks = () =>
      redis.trace.commands().filter((event) => ['BLMOVE', 'BRPOPLPUSH'].includes(event.command) && event.args[1] === K.processing('w2')).length;
    await within(one.stop(), 2000, () => 'stop() of w1 did not resolve within 2 s while it waited in BLMOVE (blockTimeoutSec 0.1)');
    await redis.trace.settle();
    const before = asks();
    const shared = 'the two workers share their stop flag. Keep it in the instance (this.stopping), not at module level';
    await until(
      async () => {
        await redis.trace.settle();
        return asks() > before;
      },
      2000,
      () => `after stop() of w1, w2 asked for no job any more (no BLMOVE into jobs:processing:w2 within 2 s, with blockTimeoutSec 0.1): ${shared}`,
    );
    expect(await redis.observer.sismember(redis.key(K.workers), 'w2'), `after stop() of w1, w2 left jobs:workers as well: ${shared}`).toBe(1);
    await push(redis, raw('after-stop'));
    await within(second.promise, 3000, async () =>
      `after stop() of w1, w2 did not take the next job within 3 s (it ran: ${ran.join(', ') || 'nothing'}; jobs:waiting: ${(await lrange(redis, K.waiting)).length} job(s)). ` +
        `Two QueueWorkers: ${shared}`,
    );
    expect(ran, 'the job pushed after w1 stopped should run once, on w2').toEqual(['w2:after-stop']);
    await within(two.stop(), 2000, () => 'stop() of w2 did not resolve within 2 s');
  });

  test('killed with SIGKILL in the middle of a job (a real process), it leaves the job in its processing list, not lost', async ({ redis }) => {
    const child = await workerProcess(redis, 'w9', 5000, ['hang-1']);
    const job = raw('hang-1');
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

  test('a job whose text cannot be decoded is recorded as failed under the id it starts with, the id the reaper keys it by', async ({ redis }) => {
    await started({ id: 'w1', handle: () => 'ran' });
    const cut = '{"id":"cut","data":{"n":1';
    const key = redis.key;
    await redis.observer.multi().rpush(key(K.waiting), cut).hset(key(K.status), 'cut', 'waiting').incrby(key(K.enqueued), 1).exec();
    const result = await outcome(redis, 'cut', 3000, async () =>
      `the job ${cut} (JSON cut short) got no result under "cut" within 3 s; jobs:results has ${JSON.stringify(await redis.observer.hkeys(key(K.results)))}. ` +
        'A job JSON.parse cannot read is still known by the id it starts with: key its status and result by jobId(raw) (given in jobs.ts, the rule the ' +
        'reaper follows too), or GET /jobs/cut says "waiting" for ever',
    );
    expect(result, 'the job should be recorded as {"ok": false, "error": <why it could not be read>}').toMatchObject({ ok: false });
    expect(await redis.observer.hget(key(K.status), 'cut'), 'jobs:status should say "failed" for it').toBe('failed');
    expect(await lrange(redis, K.processing('w1')), 'it is acknowledged too (LREM of its exact text)').toEqual([]);
  });

  test('a handle() that never settles is stopped at jobTimeoutMs: a failed attempt, retried, then dead after maxAttempts; the worker goes on', async ({ redis }) => {
    const calls = new Map<string, number>();
    await started({
      id: 'w1',
      jobTimeoutMs: 150,
      maxAttempts: 2,
      handle: (job) => {
        calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
        return job.id === 'stuck' ? new Promise(() => {}) : 'ok';
      },
    });
    await push(redis, raw('stuck'), raw('next'));
    await outcome(redis, 'next', 3000, async () =>
      `handle() never settles for the job "stuck", and the job behind it got no result within 3 s (${describeCensus(await census(redis.observer, redis.prefix))}): ` +
        'one hung job holds the worker for ever. Race handle() against a jobTimeoutMs timer; past it, the job is a failed attempt and the worker takes the next one',
    );
    const key = redis.key;
    const state = async () =>
      `jobs:status says ${await redis.observer.hget(key(K.status), 'stuck')}, jobs:attempts ${await redis.observer.hget(key(K.attempts), 'stuck')}; ` +
      `waiting ${JSON.stringify(await lrange(redis, K.waiting))}, dead ${JSON.stringify(await lrange(redis, K.dead))}, processing ${JSON.stringify(await lrange(redis, K.processing('w1')))}`;
    await until(async () => (await redis.observer.llen(key(K.dead))) > 0, 3000, async () =>
      `with jobTimeoutMs 150 and maxAttempts 2, "stuck" should have timed out twice and be in jobs:dead within 3 s; ${await state()}. ` +
        'Past the limit, in one Lua script: LREM it from processing, HINCRBY jobs:attempts, then RPUSH it back to jobs:waiting (status "waiting"), ' +
        'or to jobs:dead (status "dead") once the attempts reach maxAttempts',
    );
    expect(await lrange(redis, K.dead), `jobs:dead should hold the job once, exactly as it was; ${await state()}`).toEqual([raw('stuck')]);
    expect(await redis.observer.hget(key(K.status), 'stuck'), 'jobs:status should say "dead"').toBe('dead');
    expect(await redis.observer.hget(key(K.attempts), 'stuck'), 'jobs:attempts should count both timeouts').toBe('2');
    expect(calls.get('stuck'), 'handle() should have run "stuck" twice: once, and once more after its first timeout').toBe(2);
    expect(await redis.observer.hexists(key(K.results), 'stuck'), 'a job past its limit has no result: it is retried or dead').toBe(0);
    const c = await census(redis.observer, redis.prefix);
    expect(c.placed, `every job should be in exactly one place: ${describeCensus(c)}`).toBe(c.enqueued);
  });

  test('handBack() gives the job in progress back to the head of jobs:waiting, whole, and leaves without waiting for it', async ({ redis }) => {
    const began = deferred();
    const worker = await started({
      id: 'w1',
      handle: async () => {
        began.resolve();
        await new Promise(() => {});
      },
    });
    await push(redis, raw('long'), raw('queued'));
    await within(began.promise, 3000, () => 'handle() was not called within 3 s of a job being pushed');
    const ids = await within(worker.handBack(), 2000, () =>
      'handBack() did not resolve within 2 s while handle() never settles: give the job back (one Lua script on the BLMOVE connection), then end the loop without waiting for handle()',
    );
    expect(ids, 'handBack() should resolve with the ids it gave back').toEqual(['long']);
    expect(await lrange(redis, K.waiting), 'the job should be back at the head of jobs:waiting, once, exactly as it was, before the one that waited').toEqual([raw('long'), raw('queued')]);
    expect(await redis.observer.hget(redis.key(K.status), 'long'), 'jobs:status should say "waiting" again').toBe('waiting');
    expect(await redis.observer.hget(redis.key(K.attempts), 'long'), 'leaving is not failing: handBack() counts no attempt').toBeNull();
    expect(await lrange(redis, K.processing('w1')), 'jobs:processing:w1 should be empty').toEqual([]);
    expect(await redis.observer.sismember(redis.key(K.workers), 'w1'), 'after handBack(), w1 should be out of jobs:workers').toBe(0);
    expect(await redis.observer.exists(redis.key(K.alive('w1'))), 'after handBack(), jobs:alive:w1 should be gone').toBe(0);
    expect((await redis.clients()).map((client) => client.client), 'after handBack(), the worker should have quit() both its connections').toEqual([]);
  });

  test('stalled past its lease (SIGSTOP) and unregistered by the reaper, it registers again when it resumes, so its job is found when it dies', async ({ redis }) => {
    const child = await workerProcess(redis, 'w5', 600, ['stuck']);
    const key = redis.key;
    child.process.kill('SIGSTOP');
    await until(async () => (await redis.observer.exists(key(K.alive('w5')))) === 0, 3000, () =>
      'jobs:alive:w5 still exists 3 s after its worker was stopped (SIGSTOP) with leaseMs 600: SET it with PX leaseMs',
    );
    // What the reaper does to a worker whose heartbeat is gone (its processing list is empty here).
    await redis.observer.srem(key(K.workers), 'w5');
    child.process.kill('SIGCONT');
    await alive(child, until(async () => (await redis.observer.exists(key(K.alive('w5')))) === 1, 2000, () => ''), 2000, 'renew its heartbeat after SIGCONT');
    await until(async () => (await redis.observer.sismember(key(K.workers), 'w5')) === 1, 1000, () =>
      'w5 was stalled past its lease (as in a long GC pause) and the reaper unregistered it; it came back and renews jobs:alive:w5, but it is not in ' +
        'jobs:workers again: when it dies later, the reaper never looks at it and its jobs are stuck for good. Register at every beat (SET alive PX ' +
        'and SADD jobs:workers in the same MULTI)',
    );
    await push(redis, raw('stuck'));
    await alive(child, until(async () => (await redis.observer.hget(key(K.runs), 'stuck')) === '1', 5000, () => ''), 5000, 'start the job "stuck"');
    await child.kill('SIGKILL');
    expect(await lrange(redis, K.processing('w5')), 'the job should wait in jobs:processing:w5 for the reaper').toEqual([raw('stuck')]);
    expect(await redis.observer.sismember(key(K.workers), 'w5'), 'the dead worker should be in jobs:workers, where the reaper looks').toBe(1);
  });

  test('a worker whose job was taken from it (stalled past its lease, reaped) records nothing when it finishes', async ({ redis }) => {
    const gate = deferred<string>();
    const ran = deferred<void>();
    await started({ id: 'w1', handle: () => (ran.resolve(), gate.promise) });
    await push(redis, raw('late'));
    await within(ran.promise, 3000, () => 'handle() was not called for the job "late" within 3 s');
    // What the reaper does while w1 stalls past its lease, and another worker then takes the job.
    const key = redis.key;
    await redis.observer.multi().lmove(key(K.processing('w1')), key(K.processing('w2')), 'LEFT', 'LEFT').hset(key(K.status), 'late', 'processing').exec();
    gate.resolve('stale');
    // w1 has acknowledged (or not) once it waits for the next job.
    await redis.waitForBlocked(1);
    const recorded = await redis.observer.hget(key(K.results), 'late');
    expect(
      recorded,
      'w1 recorded a result for "late" after the job had left jobs:processing:w1: the reaper gave it back while w1 was stalled past its lease, ' +
        'and w2 holds it now. jobs:status said "done" while w2 was still running it. Record the outcome only if the job is still yours: in one ' +
        'Lua script, LREM it from your processing list, and HSET the result and the status only when LREM removed it (answered 1)',
    ).toBeNull();
    expect(await redis.observer.hget(key(K.status), 'late'), 'jobs:status of "late" belongs to w2 now, which runs it').toBe('processing');
    expect(await lrange(redis, K.processing('w2')), 'the job should stay where the reaper put it').toEqual([raw('late')]);
  });

  test('checks its options', () => {
    const handle = () => {};
    expect(() => new QueueWorker({ handle: 'print' as never }), 'a handle that is not a function should throw a TypeError naming `handle`').toThrow(/handle/);
    expect(() => new QueueWorker({ handle, leaseMs: -5 }), 'leaseMs: -5 should throw a TypeError naming `leaseMs`').toThrow(/leaseMs/);
    expect(() => new QueueWorker({ handle, blockTimeoutSec: -1 }), 'blockTimeoutSec: -1 should throw a TypeError naming it').toThrow(/blockTimeoutSec/);
    expect(() => new QueueWorker({ handle, jobTimeoutMs: 0 }), 'jobTimeoutMs: 0 should throw a TypeError naming it').toThrow(/jobTimeoutMs/);
    expect(() => new QueueWorker({ handle, maxAttempts: 0 }), 'maxAttempts: 0 should throw a TypeError naming it').toThrow(/maxAttempts/);
  });

  contractChecks('06a', workerProbe);
});
