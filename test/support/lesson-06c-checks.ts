/** Lesson 06, step 06c: the HTTP front. Loaded by test/06-reliable-queue.test.ts. */
import { request as httpRequest } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { pathToFileURL } from 'node:url';
import { onTestFinished, vi } from 'vitest';
import { createServer } from '#target/06-reliable-queue/server.ts';
import { alive, describeExit, expectContinue, listening, lrange, oversize, SERVER_HELPER, serve, targetFile, together } from './lesson-06-checks.ts';
import { call, K, killChildren, pause, startChild, tail, until, within } from './lesson-06.ts';
import { drawn, fc } from './draw.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { serverProbe } from './contract/lesson-06.ts';

/** A POST /jobs the README has a rule for: its body, its Idempotency-Key if any, and the status the rules give. */
interface Posted {
  what: string;
  body: string;
  key?: string;
  status: 202 | 400 | 413;
}

/** `{"p":"xxx"}` of exactly `bytes` bytes (at least 8). */
const padded = (bytes: number) => `{"p":"${'x'.repeat(bytes - 8)}"}`;
/** An object whose brackets nest `depth` deep in all. */
const nested = (depth: number) => `{"v":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

const rule = (what: string, body: string, status: Posted['status'], key?: string): Posted => ({ what, body, status, ...(key === undefined ? {} : { key }) });

/** The edges the README names for POST /jobs, each with its answer. */
function edges(maxBodyBytes: number): Posted[] {
  return [
    rule('a JSON object of exactly maxBodyBytes bytes', padded(maxBodyBytes), 202),
    rule('a JSON object one byte over maxBodyBytes', padded(maxBodyBytes + 1), 413),
    rule('an object whose brackets nest 64 deep', nested(64), 202),
    rule('an object whose brackets nest 65 deep', nested(65), 400),
    rule('an object with 100 [ and { inside a string', JSON.stringify({ s: '[{'.repeat(50) }), 202),
    rule('an object with an escaped quote, then brackets, inside a string', `{"s":"\\"${'['.repeat(70)}"}`, 202),
    rule('an array', '[1,2]', 400),
    rule('null', 'null', 400),
    rule('a number', '42', 400),
    rule('a JSON string', '"text"', 400),
    rule('an object holding 70 empty arrays side by side', JSON.stringify({ a: Array.from({ length: 70 }, () => []) }), 202),
    rule('an object holding 70 empty objects side by side', JSON.stringify({ a: Array.from({ length: 70 }, () => ({})) }), 202),
    rule('an empty body', '', 400),
    rule('text that is not JSON', '{"n":', 400),
    rule('an Idempotency-Key of 1 character', '{"n":1}', 202, 'k'),
    rule('an Idempotency-Key of 200 characters', '{"n":1}', 202, 'k'.repeat(200)),
    rule('an Idempotency-Key of 201 characters', '{"n":1}', 400, 'k'.repeat(201)),
    rule('an empty Idempotency-Key', '{"n":1}', 400, ''),
  ];
}

/** Any JSON object that fits, or one of the edges. */
function posts(maxBodyBytes: number): fc.Arbitrary<Posted> {
  const objects = fc.object({ maxDepth: 2, maxKeys: 3 }).map((data) => rule('a JSON object', JSON.stringify(data), 202));
  return fc.oneof(objects.filter((post) => Buffer.byteLength(post.body) <= maxBodyBytes), fc.constantFrom(...edges(maxBodyBytes)));
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
    // Around a job that exists: only /jobs/<id> itself is its path.
    const { id } = (await call(url, 'POST', '/jobs', '{"n":1}', { 'content-type': 'application/json' })).json() as { id: string };
    for (const path of [`/jobs/${id}/more`, `/v1/jobs/${id}`]) {
      const reply = await call(url, 'GET', path);
      expect(reply.status, `GET ${path} was answered ${reply.status}, though only /jobs/${id} is the job's path: match the whole path (^ and $)`).toBe(404);
    }
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
    const exact = `{"p":"${'x'.repeat(1024 - 8)}"}`;
    const fits = await expectContinue(url, 1024, exact);
    expect(
      fits.status,
      `a body of exactly maxBodyBytes (1024) sent with Expect: 100-continue was answered ${fits.status ?? fits.error}: exactly maxBodyBytes is fine, only over it is 413`,
    ).toBe(202);
    expect((await lrange(redis, K.waiting)).length, 'the small body and the one of exactly maxBodyBytes should have been enqueued').toBe(2);
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

  test('a Content-Length over maxBodyBytes is 413 before any of the body is sent, and the server closes the connection', async ({ redis }) => {
    const { url } = await serve(redis, 1000);
    const { port } = new URL(url);
    const socket = connectTcp(Number(port), '127.0.0.1');
    onTestFinished(() => void socket.destroy());
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => {});
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    await until(() => answer.includes('\r\n\r\n'), 2000, () => 'a POST whose Content-Length says 100000 bytes (maxBodyBytes 1000), and no body yet, got no answer within 2 s: read Content-Length first and answer 413 without waiting for the body');
    expect(answer.split(' ')[1], `the answer was ${answer.split('\r\n')[0]}`).toBe('413');
    expect(answer.toLowerCase(), 'the 413 should say Connection: close, or Node reads the 100000 bytes the client may still send, to reuse the connection').toContain('connection: close');
    await within(ended, 2000, () => 'the server kept the connection open after its 413: with Connection: close, it hangs up instead of reading the rest');
  });

  test('when Redis fails during a request, the answer is 500 as JSON, and the server goes on answering', async ({ redis }) => {
    // The server logs what it caught; the check reads the answers instead.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => logged.mockRestore());
    const broken = redis.client('http');
    // Closed on purpose: every command on it now fails at once.
    broken.disconnect();
    const server = createServer(broken);
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = await listening(server);
    for (const [method, path] of [['POST', '/jobs'], ['GET', '/jobs/any'], ['POST', '/jobs']] as const) {
      const reply = await call(url, method, path, method === 'POST' ? '{"n":1}' : undefined, { 'content-type': 'application/json' }).catch((error: Error) => ({ status: 0, text: error.message, headers: {} }));
      expect(reply.status, `${method} ${path} with Redis gone was answered ${reply.status === 0 ? `with nothing (${reply.text})` : reply.status}: catch what the handler throws and answer 500`).toBe(500);
      expect(() => JSON.parse(reply.text) as unknown, `the 500's body should be JSON, got ${reply.text.slice(0, 80)}`).not.toThrow();
    }
  });

  test('any POST /jobs gets the answer the rules of the README give, as JSON (drawn)', async ({ redis }) => {
    const maxBodyBytes = 300;
    const { url } = await serve(redis, maxBodyBytes);
    await drawn(
      posts(maxBodyBytes),
      { name: '06c any post', examples: edges(maxBodyBytes), runs: 4, budgetMs: 4000, describe: (post) => `with ${post.what} (maxBodyBytes ${maxBodyBytes})` },
      async (post) => {
        // A key drawn twice is a retry: it gets the first job's 202 and id again, which still waits.
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(post.key === undefined ? {} : { 'idempotency-key': post.key }) };
        const reply = await call(url, 'POST', '/jobs', post.body, headers);
        expect(reply.status, `POST /jobs was answered ${reply.status} ${reply.text.slice(0, 120)}, where the README's rules give ${post.status}`).toBe(post.status);
        expect(String(reply.headers['content-type'] ?? ''), 'every answer is JSON: Content-Type application/json').toMatch(/^application\/json/);
        expect(() => JSON.parse(reply.text) as unknown, `the answer's body is not JSON: ${reply.text.slice(0, 120)}`).not.toThrow();
        if (post.status === 202) {
          const { id } = reply.json() as { id: string };
          const waiting = await lrange(redis, K.waiting);
          expect(waiting.some((job) => (JSON.parse(job) as { id: string }).id === id), `answered 202 with id ${id}, but no job with that id waits in jobs:waiting`).toBe(true);
        }
      },
    );
  });

  test('checks its options', ({ redis }) => {
    expect(() => createServer(redis.client('http'), { maxBodyBytes: -1 }), 'maxBodyBytes: -1 should throw a TypeError naming `maxBodyBytes`').toThrow(/maxBodyBytes/);
    expect(() => createServer(redis.client('http'), { idempotencyTtlMs: 0 }), 'idempotencyTtlMs: 0 should throw a TypeError naming it').toThrow(/idempotencyTtlMs/);
  });

  contractChecks('06c', serverProbe);
});
