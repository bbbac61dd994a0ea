/** Lesson 06, step 06c: the HTTP front. Loaded by test/06-reliable-queue.test.ts. */
import { request as httpRequest } from 'node:http';
import { pathToFileURL } from 'node:url';
import { onTestFinished } from 'vitest';
import { createServer } from '#target/06-reliable-queue/server.ts';
import { alive, describeExit, expectContinue, lrange, oversize, SERVER_HELPER, serve, targetFile, together } from './lesson-06-checks.ts';
import { call, K, killChildren, pause, startChild, tail } from './lesson-06.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { serverProbe } from './contract/lesson-06.ts';

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

  test('with Expect: 100-continue, a body announced over maxBodyBytes gets its 413 every time, and is never invited', async ({ redis }) => {
    const { url } = await serve(redis, 1024);
    for (let round = 1; round <= 5; round++) {
      const { status, continued, error } = await expectContinue(url, 10_000_000);
      expect(
        continued,
        'your server answered "100 Continue" to a POST that announced 10 MB with Expect: 100-continue (maxBodyBytes 1024): it invited the client to ' +
          'send a body it refuses, and the 413 can then be lost when the server hangs up mid-send. Node says 100 Continue for you unless you listen for ' +
          'the server\'s \'checkContinue\' event: answer 413 there (Connection: close), and call res.writeContinue() only for a body that fits',
      ).toBe(false);
      expect(status, `round ${round}: a 10 MB body announced with Expect: 100-continue was answered ${status ?? `nothing (${error})`}; expected 413`).toBe(413);
    }
    const small = await expectContinue(url, Buffer.byteLength('{"n": 1}'), '{"n": 1}');
    expect(small.status, `a small body sent with Expect: 100-continue was answered ${small.status ?? small.error}: say 100 Continue (res.writeContinue()) and handle it as any other`).toBe(202);
    expect((await lrange(redis, K.waiting)).length, 'only the small body should have been enqueued').toBe(1);
  });

  test('JSON nested thousands deep is 400, never 500, and does not end the server (in a process of its own)', async ({ redis }) => {
    const child = startChild('your server', SERVER_HELPER, [pathToFileURL(targetFile('server.ts')).href, '65536'], {}, redis.prefix);
    onTestFinished(killChildren);
    const port = Number((await alive(child, child.line(/^listening \d+/), 10_000, 'start listening')).split(' ')[1]);
    const url = `http://127.0.0.1:${port}`;
    const bodies: Array<[string, string]> = [5000, 10_000, 20_000].map((depth) => [`an object holding arrays nested ${depth} deep`, `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`]);
    bodies.push(['objects nested 8000 deep', `${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}`]);
    for (const [what, body] of bodies) {
      const reply = await call(url, 'POST', '/jobs', body, { 'content-type': 'application/json' }).catch(async (error: unknown) => {
        await Promise.race([child.exited, pause(1000)]);
        throw new Error(`POST /jobs with ${what} got no answer (${(error as Error).message})${child.exit() ? `, and your server process died (${describeExit(child)}):${tail(child)}` : ''}`);
      });
      expect(
        reply.status,
        `POST /jobs with ${what} (${body.length} bytes, under maxBodyBytes) was answered ${reply.status} ${reply.text}; expected 400. JSON.parse reads it, but ` +
          (reply.status >= 500
            ? 'a recursive walk of the result (JSON.stringify in enqueue(), or your own) overflowed the stack. '
            : 'a job this deep overflows the stack of whatever walks it later (JSON.stringify, a worker; how deep depends on the Node version). ') +
          'Count how deep the brackets nest before JSON.parse (a loop over the text, outside strings), and answer 400 past MAX_JSON_DEPTH',
      ).toBe(400);
    }
    expect((await call(url, 'GET', '/jobs/unknown')).status, 'after the deep bodies, the server should still answer').toBe(404);
    expect(await lrange(redis, K.waiting), 'none of the deep bodies should have been enqueued').toEqual([]);
  });

  test('POST /jobs with an Idempotency-Key makes one job per key, also for requests that arrive at the same moment', async ({ redis }) => {
    const { url } = await serve(redis, undefined, { idempotencyTtlMs: 60_000 });
    const post = (key: string, n: number) => call(url, 'POST', '/jobs', JSON.stringify({ n }), { 'content-type': 'application/json', 'idempotency-key': key });
    const first = await post('order-1', 1);
    expect(first.status, `POST /jobs with an Idempotency-Key answered ${first.status} ${first.text}`).toBe(202);
    const again = await post('order-1', 1);
    expect(
      [again.status, again.text],
      `the same Idempotency-Key again should answer the first job (202 ${first.text}), never make a second one: got ${again.status} ${again.text}`,
    ).toEqual([202, first.text]);
    expect((await lrange(redis, K.waiting)).length, 'one key, one job in jobs:waiting').toBe(1);
    const ttl = await redis.observer.pttl(redis.key('jobs:idempotency:order-1'));
    expect(ttl > 0 && ttl <= 60_000, `jobs:idempotency:order-1 should hold the key's job id with an expiry of idempotencyTtlMs (60000 here), PTTL was ${ttl}: SET it NX PX`).toBe(true);
    const replies = await together(url, 20, JSON.stringify({ n: 2 }), { 'content-type': 'application/json', 'idempotency-key': 'order-2' });
    const ids = new Set(replies.map((reply) => (reply.status === 202 ? (reply.json() as { id: string }).id : `status ${reply.status}`)));
    expect(
      ids.size,
      `20 requests with the same Idempotency-Key at the same moment got ${ids.size} different answers (${[...ids].slice(0, 4).join(', ')}...): a GET, then a SET, ` +
        'lets every request in before the first SET lands. SET the key NX PX and enqueue in one Lua script, and answer the id it returns',
    ).toBe(1);
    expect((await lrange(redis, K.waiting)).length, 'the 20 requests at the same moment should have made one job').toBe(2);
    expect(await redis.observer.get(redis.key(K.enqueued)), 'jobs:enqueued counts each job made, once').toBe('2');
    const other = await post('order-3', 3);
    expect((other.json() as { id: string }).id, 'another key is another job').not.toBe((first.json() as { id: string }).id);
  });

  test('checks its options', ({ redis }) => {
    expect(() => createServer(redis.client('http'), { maxBodyBytes: -1 }), 'maxBodyBytes: -1 should throw a TypeError naming `maxBodyBytes`').toThrow(/maxBodyBytes/);
    expect(() => createServer(redis.client('http'), { idempotencyTtlMs: 0 }), 'idempotencyTtlMs: 0 should throw a TypeError naming it').toThrow(/idempotencyTtlMs/);
  });

  contractChecks('06c', serverProbe);
});
