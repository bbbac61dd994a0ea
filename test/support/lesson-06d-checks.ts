/** Lesson 06, step 06d: startApp() and close(). Loaded by test/06-reliable-queue.test.ts. */
import { connect as connectSocket, createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { onTestFinished } from 'vitest';
import { alive, app, CLOSE_LIMIT_MS, closed, lrange, LOAD_HELPER, outcome, push, raw } from './lesson-06-checks.ts';
import { call, census, deferred, describeCensus, K, killChildren, pause, refused, startChild, tapCommands, until, within } from './lesson-06.ts';
import { startApp } from '#target/06-reliable-queue/app.ts';
import { throughProxy } from './proxy.ts';
import { describeLeft, watchResources } from './leftovers.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { appProbe } from './contract/lesson-06.ts';

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

  test('after close() nothing is left: no connection, no timer, no worker registered, the port refuses', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const watch = watchResources();
    const running = await app({ workers: 2, reapIntervalMs: 10 });
    const posted = await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 2 }));
    const { id } = posted.json() as { id: string };
    await outcome(redis, id, 3000, () => 'the job posted was not done within 3 s');
    await closed(redis, tap, running);
    expect((await redis.clients()).map((client) => `${client.client} (${client.cmd})`), 'after close(), every connection of the app should be closed with quit()').toEqual([]);
    expect(await redis.observer.smembers(redis.key(K.workers)), 'after close(), no worker should be left in jobs:workers').toEqual([]);
    const left = await watch.left();
    expect(
      describeLeft(left),
      `after close() resolved, your app left ${describeLeft(left)}, as Node reported 1 s later: a timer your close() or your app started ` +
        '(a deadline, a heartbeat, the reaper\'s interval) was still pending. Clear every one once it is no longer needed, before close() resolves',
    ).toBe('nothing');
    expect(await refused(running.port), 'after close(), the HTTP port should refuse connections').toBe(true);
  });

  test('startApp() on a port that is taken rejects, and leaves nothing running: no connection, no worker registered, no timer', async ({ redis }) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as AddressInfo;
    const watch = watchResources();
    const outcome = await within(
      startApp({ workers: 2, port, handle: async () => {} }).then(
        async (started) => {
          await started.close().catch(() => {});
          return { started: true as const };
        },
        (error: unknown) => ({ error }),
      ),
      5000,
      () => `startApp({ port: ${port} }) had not settled 5 s after it was given a port already in use: reject with listen()'s error (EADDRINUSE)`,
    );
    expect('error' in outcome, `startApp({ port: ${port} }) resolved although that port was already taken: reject with the error listen() gives (EADDRINUSE)`).toBe(true);
    const error = (outcome as { error: unknown }).error as NodeJS.ErrnoException;
    expect(`${error?.code ?? ''} ${error?.message ?? String(error)}`, 'startApp() should reject with the error listen() gave').toMatch(/EADDRINUSE/);
    const clients = (await redis.clients()).map((client) => `${client.client} (${client.cmd})`);
    expect(
      clients,
      'startApp() rejected (the port was taken), but the connections it had opened were still open: when listen() fails, stop the workers and the reaper ' +
        'and quit every connection before you reject, as close() does. Nothing of a failed start may keep running',
    ).toEqual([]);
    expect(await redis.observer.smembers(redis.key(K.workers)), 'after a failed start, no worker should be left in jobs:workers').toEqual([]);
    const left = await watch.left();
    expect(describeLeft(left), `after a failed start your app left ${describeLeft(left)}: stop everything it started (the reaper's interval, heartbeats) before you reject`).toBe('nothing');
  });

  test('close({ deadlineMs }) hands a job that never finishes back to jobs:waiting at the deadline, and resolves with its id', async ({ redis }) => {
    const began = deferred<string>();
    const running = await app({
      workers: 2,
      handle: async (job) => {
        began.resolve(job.id);
        await new Promise(() => {});
      },
    });
    const { id } = (await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 1 }))).json() as { id: string };
    await within(began.promise, 3000, () => 'the job posted did not reach handle() within 3 s');
    const workerIds = running.workers.map((worker) => worker.id);
    const t0 = performance.now();
    const result = await within(running.close({ deadlineMs: 300 }), 2500, () =>
      'close({ deadlineMs: 300 }) has not returned after 2.5 s while a job that never finishes was in progress: past the deadline, hand the jobs in ' +
        'progress back (each worker\'s handBack()) instead of waiting for them',
    );
    const ms = performance.now() - t0;
    expect(ms, `close({ deadlineMs: 300 }) returned after ${Math.round(ms)} ms: the job in progress gets until the deadline to finish`).toBeGreaterThanOrEqual(250);
    expect(result, 'close() should resolve with { handedBack: [<ids of the jobs handed back>] }').toEqual({ handedBack: [id] });
    const waiting = (await lrange(redis, K.waiting)).map((entry) => (JSON.parse(entry) as { id: string }).id);
    expect(waiting, 'the job should be back in jobs:waiting, once, for the next start').toEqual([id]);
    expect(await redis.observer.hget(redis.key(K.status), id), 'jobs:status should say "waiting" for it again').toBe('waiting');
    expect(await redis.observer.hexists(redis.key(K.results), id), 'a job handed back has no result: its outcome, if it ever comes, is nobody\'s').toBe(0);
    for (const worker of workerIds) expect(await lrange(redis, K.processing(worker)), `jobs:processing:${worker} should be empty`).toEqual([]);
    expect((await redis.clients()).map((client) => `${client.client} (${client.cmd})`), 'after close(), every connection of the app should be closed').toEqual([]);
    expect(await redis.observer.smembers(redis.key(K.workers)), 'after close(), no worker should be left in jobs:workers').toEqual([]);
  });

  test('close() also unblocks a worker whose BLMOVE is still on its way to Redis (UNBLOCK answers 0 until it has arrived)', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    // The app's connections go through a proxy that can make a command arrive late: the worker's
    // BLMOVE after its job is held there until close()'s first CLIENT UNBLOCK has been answered.
    await throughProxy(redis, async (proxy) => {
      const running = await app({ workers: 1, blockTimeoutSec: 30, handle: () => 'done' });
      await redis.waitForBlocked(1);
      const hold = proxy.hold(/BLMOVE/i);
      await push(redis, raw('one'));
      await within(hold.held, 2000, () => 'the worker did not send BLMOVE again within 2 s of taking its job');
      const from = tap.sent.length;
      const closing = running.close();
      closing.catch(() => {});
      const answered = () => tap.sent.slice(from).some((sent) => sent.command === 'CLIENT UNBLOCK' && sent.reply !== undefined);
      await until(answered, CLOSE_LIMIT_MS, () => 'close() sent no CLIENT UNBLOCK within 1 s while a worker\'s BLMOVE was on its way: set the flags, then CLIENT UNBLOCK each worker.clientId').catch((error: Error) => {
        hold.release();
        throw error;
      });
      hold.release();
      await within(closing, 3000, () => {
        const unblocks = tap.sent.slice(from).filter((sent) => sent.command === 'CLIENT UNBLOCK');
        return (
          `close() has not returned 3 s after its BLMOVE reached Redis, although it sent CLIENT UNBLOCK ${unblocks.map((sent) => `${sent.args[0]} (answered ${String(sent.reply)})`).join(', ')}. ` +
          'An UNBLOCK answered 0 found no blocked client: the worker\'s BLMOVE was still on its way to Redis, and now waits there for 30 s. ' +
          'Send the UNBLOCK again while worker.blocking, until it answers 1'
        );
      });
    });
  });

  test('close({ deadlineMs: Infinity }) waits for the job in progress as long as it takes, without a timer that fires at once', async ({ redis }) => {
    const began = deferred<string>();
    const gate = deferred();
    const running = await app({
      workers: 1,
      handle: async (job) => {
        began.resolve(job.id);
        await gate.promise;
        return 'finished';
      },
    });
    const { id } = (await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 1 }))).json() as { id: string };
    await within(began.promise, 3000, () => 'the job posted did not reach handle() within 3 s');
    // A delay past setTimeout's limit (2^31 - 1 ms) is cut to 1 ms, with a warning: Infinity must never reach it.
    const warnings: string[] = [];
    const warned = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', warned);
    onTestFinished(() => void process.off('warning', warned));
    let settled = false;
    const closing = running.close({ deadlineMs: Infinity }).finally(() => (settled = true));
    closing.catch(() => {});
    await pause(200);
    expect(settled, `close({ deadlineMs: Infinity }) resolved while its job was in progress${warnings.length > 0 ? ` (Node warned: ${warnings[0]})` : ''}: with no limit, it waits for the job`).toBe(false);
    gate.resolve();
    const result = await within(closing, 3000, () => 'close({ deadlineMs: Infinity }) did not resolve within 3 s of its job finishing');
    expect(result, 'nothing should be handed back when the job finished').toEqual({ handedBack: [] });
    expect(await outcome(redis, id, 1000, () => 'the job that finished during close() got no result'), 'the job should be recorded as done').toEqual({ ok: true, value: 'finished' });
    expect(
      warnings.filter((warning) => warning.startsWith('TimeoutOverflowWarning')),
      'a setTimeout longer than 2^31 - 1 ms fires after 1 ms instead: wait for a deadline that far in steps, or not at all when there is none',
    ).toEqual([]);
  });

  test('close({ deadlineMs }) cuts a request still in flight at the deadline: a client sending its body slowly does not hold close()', async ({ redis }) => {
    const running = await app({ workers: 1 });
    const socket = connectSocket(running.port, '127.0.0.1');
    onTestFinished(() => void socket.destroy());
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const hungUp = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await within(new Promise((resolve) => socket.once('connect', resolve)), 2000, () => `could not connect to ${running.url}`);
    // Expect: 100-continue, so that the server's "100 Continue" says the request is in flight (06c).
    socket.write('POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
    await until(() => answer.includes('100 Continue'), 2000, () => `the server did not answer "100 Continue" to a POST of 100 bytes within 2 s (it answered ${JSON.stringify(answer.slice(0, 80))})`);
    socket.write('{"n": ');
    await within(running.close({ deadlineMs: 300 }), 2500, () =>
      'close({ deadlineMs: 300 }) has not returned after 2.5 s while a client was still sending its request body: server.close() waits for every ' +
        'request in flight, for ever if a client never finishes. Past the deadline, cut them: server.closeAllConnections()',
    );
    await within(hungUp, 1000, () => 'close() resolved, but the connection of the client still sending its body was still open 1 s later: cut it with server.closeAllConnections()');
    expect(await redis.observer.llen(redis.key(K.waiting)), 'a request cut before its body ended must not make a job').toBe(0);
  });

  test('no switch meant for tests is reachable over HTTP: POST {"hangFirstRun": true} runs like any job', async ({ redis }) => {
    const tap = tapCommands(redis.prefix);
    onTestFinished(tap.restore);
    const running = await app({ workers: 1 });
    const posted = await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 3, hangFirstRun: true }));
    const { id } = posted.json() as { id: string };
    const result = await outcome(redis, id, 3000, () =>
      'a job posted with {"hangFirstRun": true} did not finish within 3 s: a switch meant for the checks is reachable by any HTTP client, who can hang ' +
        'every worker with it. startApp() runs perform(tasks, job) with no task options: hangFirstRun is set only by whoever starts a worker process ' +
        '(JOB_HANG_FIRST_RUN), never by a job\'s data',
    );
    expect(result, 'the demo task squares n: 3 gives 9, in its first run').toEqual({ ok: true, value: { square: 9, run: 1 } });
    await closed(redis, tap, running);
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

  contractChecks('06d', appProbe);
});
