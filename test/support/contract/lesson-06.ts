/**
 * Lesson 06's probes for the contract checks (checks.ts): a QueueWorker through two jobs, a reaper
 * round and a reaper loop, one HTTP server, one startApp() to its close(). Workers, reapers and apps
 * share the queue's keys by design; each probe judges its own jobs, found by their ids.
 */
import { startApp } from '#target/06-reliable-queue/app.ts';
import { enqueue } from '#target/06-reliable-queue/jobs.ts';
import { reapOnce, startReaper } from '#target/06-reliable-queue/reaper.ts';
import { createServer } from '#target/06-reliable-queue/server.ts';
import { QueueWorker } from '#target/06-reliable-queue/worker.ts';
import type { RedisKit } from '../workshop-test.ts';
import { call, K } from '../lesson-06.ts';
import { listening } from '../lesson-06-checks.ts';
import { pause, until, within } from '../waits.ts';
import type { Given, Probe } from './checks.ts';

/** Only the options given, as numbers (or the id as a string), for a constructor that reads defaults itself. */
const passed = (given: Given, names: string[]) => Object.fromEntries(names.filter((name) => name in given).map((name) => [name, name === 'id' ? String(given[name]) : Number(given[name])]));

async function statusOf(redis: RedisKit, id: string): Promise<string | null> {
  return redis.observer.hget(redis.key(K.status), id);
}

async function allDone(redis: RedisKit, ids: string[], ms: number, what: string): Promise<void> {
  await until(async () => (await Promise.all(ids.map((id) => statusOf(redis, id)))).every((status) => status === 'done'), ms, async () => {
    const statuses = await Promise.all(ids.map(async (id) => `${id}: ${(await statusOf(redis, id)) ?? 'none'}`));
    return `${ms / 1000} s after ${ids.length} jobs were enqueued, ${what}, their statuses were ${statuses.join(', ')}: every one should be done`;
  });
}

export const workerProbe: Probe = {
  redis: true,
  subject: 'a QueueWorker',
  done: 'stop() resolved',
  async run({ given, effective, together, redis, helper }) {
    await redis.trace.settle();
    const from = redis.trace.events.length;
    const worker = new QueueWorker({
      // A job marked hang never settles: jobTimeoutMs ends each attempt, maxAttempts the job.
      handle: (job) => ((job.data as { hang?: boolean }).hang ? new Promise(() => {}) : { twice: (job.data as { n: number }).n * 2 }),
      ...passed(given, ['id', 'leaseMs', 'heartbeatMs', 'blockTimeoutSec', 'jobTimeoutMs', 'maxAttempts']),
    });
    const unblocker = helper('unblocker');
    try {
      await within(worker.start(), 3000, () => 'start() had not resolved 3 s after it was called');
      const producer = helper('producer');
      const ids = [await enqueue(producer, { n: 1 }), await enqueue(producer, { n: 2 })];
      await allDone(redis, ids, 3000, 'with one worker running');
      const results = await Promise.all(ids.map(async (id) => JSON.parse((await redis.observer.hget(redis.key(K.results), id)) ?? 'null') as unknown));
      if (JSON.stringify(results) !== JSON.stringify([{ ok: true, value: { twice: 2 } }, { ok: true, value: { twice: 4 } }])) {
        throw new Error(`the results recorded were ${JSON.stringify(results)}: each job's { ok: true, value } from handle()`);
      }
      // The lease, as Redis keeps it: the heartbeat key's time to live.
      const leaseMs = Number(effective.leaseMs);
      const leaseAbout = `leaseMs ${'leaseMs' in given ? leaseMs : `left out (${leaseMs})`}`;
      const ttl = await redis.observer.pttl(redis.key(K.alive(worker.id)));
      if (!(ttl > leaseMs - 1000 && ttl <= leaseMs)) throw new Error(`with ${leaseAbout}, ${K.alive(worker.id)} had ${ttl < 0 ? 'no time to live' : `${ttl} ms to live`} while the worker ran: each beat sets it to live leaseMs`);
      // With another worker on the queue, the job that hangs could go to it, with its own jobTimeoutMs.
      if ('jobTimeoutMs' in given && !together) {
        const jobTimeoutMs = Number(given.jobTimeoutMs);
        const maxAttempts = Number(effective.maxAttempts);
        const hung = await enqueue(producer, { hang: true });
        const ms = maxAttempts * (jobTimeoutMs + 300) + 1000;
        await until(async () => (await statusOf(redis, hung)) === 'dead', ms, async () =>
          `with jobTimeoutMs ${jobTimeoutMs} and maxAttempts ${'maxAttempts' in given ? maxAttempts : `left out (${maxAttempts})`}, a job whose handle() never settles was ` +
          `${(await statusOf(redis, hung)) ?? 'nowhere'} after ${ms / 1000} s, with ${(await redis.observer.hget(redis.key(K.attempts), hung)) ?? 0} attempt(s) counted: ` +
          'each attempt ends at jobTimeoutMs, and the job is dead after maxAttempts',
        );
        const attempts = Number(await redis.observer.hget(redis.key(K.attempts), hung));
        if (attempts !== maxAttempts) throw new Error(`a job whose handle() never settles went dead after ${attempts} attempt(s) counted, with maxAttempts ${maxAttempts}: it gets maxAttempts attempts`);
      }
      if ('heartbeatMs' in given) {
        const beat = Number(given.heartbeatMs);
        await pause(beat * 4);
        const renewed = await redis.observer.pttl(redis.key(K.alive(worker.id)));
        if (!(renewed > leaseMs - beat * 2 - 50)) throw new Error(`with heartbeatMs ${beat} and ${leaseAbout}, ${K.alive(worker.id)} had ${renewed} ms to live ${beat * 4} ms later: it was not renewed every heartbeatMs`);
      }
    } finally {
      // As app.ts does: the flag, then CLIENT UNBLOCK, or stop() waits out the BLMOVE.
      const stopping = worker.stop();
      for (let tries = 0; tries < 100 && worker.blocking && worker.clientId !== undefined; tries++) {
        await unblocker.client('UNBLOCK', worker.clientId);
        await pause(10);
      }
      await within(stopping, 3000, () => 'stop() had not resolved 3 s after it was called and the worker unblocked');
    }
    await redis.trace.settle();
    const events = redis.trace.events.slice(from);
    const timeoutSec = Number(effective.blockTimeoutSec);
    const wrong = events.find((event) => event.command === 'BLMOVE' && event.args[1] === K.processing(worker.id) && Number(event.args.at(-1)) !== timeoutSec);
    if (wrong) throw new Error(`the worker sent BLMOVE ${wrong.args.join(' ')}: with blockTimeoutSec ${'blockTimeoutSec' in given ? timeoutSec : `left out (${timeoutSec})`}, BLMOVE waits ${timeoutSec} s`);
    if ('id' in given && worker.id !== given.id) throw new Error(`worker.id was ${JSON.stringify(worker.id)}, not the id it was given, ${JSON.stringify(given.id)}`);
    const registered = await redis.observer.sismember(redis.key(K.workers), worker.id);
    const held = await redis.observer.llen(redis.key(K.processing(worker.id)));
    if (registered === 1 || held > 0) throw new Error(`after stop(), worker ${worker.id} was ${registered === 1 ? 'still in jobs:workers' : `holding ${held} job(s) in its processing list`}: it leaves, with nothing held`);
  },
};

export const reaperProbe: Probe = {
  redis: true,
  subject: 'reapOnce() and startReaper()',
  done: 'the reaper\'s stop() resolved',
  alone: 'reapers share jobs:workers by design: two at once would each reap the other\'s dead workers',
  async run({ given, effective, tag, redis, helper }) {
    const maxAttempts = Number(effective.maxAttempts);
    const conn = helper('reaper');
    const held = async (worker: string, id: string, attempts: number) => {
      const key = redis.key;
      await redis.observer
        .multi()
        .sadd(key(K.workers), worker)
        .rpush(key(K.processing(worker)), JSON.stringify({ id, data: {} }))
        .hset(key(K.attempts), id, attempts)
        .hset(key(K.status), id, 'running')
        .exec();
    };
    const last = `last-${tag}`;
    const first = `first-${tag}`;
    await held(`gone-${tag}`, last, maxAttempts - 1);
    if (maxAttempts > 1) await held(`gone-${tag}`, first, 0);
    await within(reapOnce(conn, 'maxAttempts' in given ? { maxAttempts } : {}), 2000, () => 'reapOnce() had not resolved 2 s after it was called');
    const dead = await redis.observer.lrange(redis.key(K.dead), 0, -1);
    const waiting = await redis.observer.lrange(redis.key(K.waiting), 0, -1);
    const about = `with maxAttempts ${'maxAttempts' in given ? maxAttempts : `left out (${maxAttempts})`}`;
    if (!dead.some((job) => job.includes(`"${last}"`))) throw new Error(`${about}, a dead worker's job on its attempt ${maxAttempts} was not in jobs:dead after reapOnce(): the attempt that reaches maxAttempts dead-letters it`);
    if (maxAttempts > 1 && !waiting.some((job) => job.includes(`"${first}"`))) throw new Error(`${about}, a dead worker's job on its first attempt was not back in jobs:waiting after reapOnce()`);
    // The loop: a round every intervalMs. Left out, that is a second a round, a wait that would cost more than it shows.
    if (!('intervalMs' in given)) return;
    const intervalMs = Number(given.intervalMs);
    const backIn = async (id: string, ms: number, what: string) =>
      until(async () => (await redis.observer.lrange(redis.key(K.waiting), 0, -1)).some((job) => job.includes(`"${id}"`)), ms, () => `with intervalMs ${intervalMs}, startReaper() had not given ${what} back within ${ms} ms`);
    await held(`later-${tag}`, `early-${tag}`, 0);
    const reaper = startReaper(conn, { intervalMs, maxAttempts: maxAttempts + 1 });
    try {
      await backIn(`early-${tag}`, intervalMs + 1000, 'a job whose worker had died before it started');
      await held(`latest-${tag}`, `late-${tag}`, 0);
      await backIn(`late-${tag}`, intervalMs + 300, 'a job whose worker died while it ran (it reaps every intervalMs)');
    } finally {
      await within(reaper.stop(), 2000, () => 'the reaper\'s stop() had not resolved 2 s after it was called');
    }
  },
};

export const serverProbe: Probe = {
  redis: true,
  subject: 'createServer()',
  done: 'server.close() called back',
  async run({ given, effective, tag, redis, helper }) {
    const maxBodyBytes = Number(effective.maxBodyBytes);
    const ttlMs = Number(effective.idempotencyTtlMs);
    const server = createServer(helper('http'), passed(given, ['maxBodyBytes', 'idempotencyTtlMs']));
    const url = await listening(server);
    try {
      const small = JSON.stringify({ tag });
      const posted = await call(url, 'POST', '/jobs', small, { 'content-type': 'application/json' });
      if (posted.status !== 202) throw new Error(`POST /jobs with ${small} (${small.length} bytes, under maxBodyBytes ${maxBodyBytes}) was answered ${posted.status}, not 202`);
      const id = (JSON.parse(posted.text) as { id: string }).id;
      const got = await call(url, 'GET', `/jobs/${encodeURIComponent(id)}`);
      if (got.status !== 200 || (JSON.parse(got.text) as { status?: string }).status !== 'waiting') throw new Error(`GET /jobs/${id} right after its POST answered ${got.status} ${got.text}: 200, and the job waiting`);
      // A key of its own each run: a key already set would answer with its first TTL.
      const key = `key-${tag}-${Math.random().toString(36).slice(2, 8)}`;
      const once = await call(url, 'POST', '/jobs', small, { 'content-type': 'application/json', 'idempotency-key': key });
      const ttl = await redis.observer.pttl(redis.key(`jobs:idempotency:${key}`));
      if (once.status !== 202 || !(ttl > ttlMs - 5000 && ttl <= ttlMs)) {
        throw new Error(
          `after POST /jobs with Idempotency-Key ${key} (answered ${once.status}), jobs:idempotency:${key} had ${ttl < 0 ? 'no time to live' : `${ttl} ms to live`}: ` +
            `with idempotencyTtlMs ${'idempotencyTtlMs' in given ? ttlMs : `left out (${ttlMs}, 24 h)`}, the key is kept that long (SET … NX PX idempotencyTtlMs)`,
        );
      }
      const big = JSON.stringify({ tag, pad: 'x'.repeat(maxBodyBytes) });
      const refused = await call(url, 'POST', '/jobs', big, { 'content-type': 'application/json' });
      const about = `maxBodyBytes ${'maxBodyBytes' in given ? maxBodyBytes : `left out (${maxBodyBytes})`}`;
      if (refused.status !== 413) throw new Error(`with ${about}, a body of ${Buffer.byteLength(big)} bytes was answered ${refused.status}, not 413`);
    } finally {
      server.closeAllConnections();
      await within(new Promise<void>((resolve) => server.close(() => resolve())), 2000, () => 'server.close() had not called back within 2 s');
    }
  },
};

export const appProbe: Probe = {
  redis: true,
  subject: 'startApp()',
  done: 'close() resolved',
  async run({ given, effective, tag, together, redis }) {
    const workers = Number(effective.workers);
    const about = (name: string) => `${name} ${name in given ? String(given[name]) : `left out (${String(effective[name])})`}`;
    const running = await within(
      startApp({ blockTimeoutSec: 30, ...passed(given, ['workers', 'port', 'maxBodyBytes', 'idempotencyTtlMs', 'reapIntervalMs', 'maxAttempts']) }),
      5000,
      () => 'startApp() had not resolved 5 s after it was called',
    );
    try {
      await until(async () => (await redis.clients()).filter((client) => client.blocked).length >= workers, 3000, async () => {
        const blocked = (await redis.clients()).filter((client) => client.blocked).length;
        return `with ${about('workers')}, ${blocked} client(s) waited in BLMOVE 3 s after startApp() resolved, not ${workers}`;
      });
      const key = `key-${tag}-${Math.random().toString(36).slice(2, 8)}`;
      const posted = await call(running.url, 'POST', '/jobs', JSON.stringify({ n: 3 }), { 'content-type': 'application/json', 'idempotency-key': key });
      if (posted.status !== 202) throw new Error(`POST /jobs on ${running.url} was answered ${posted.status}, not 202`);
      const id = (JSON.parse(posted.text) as { id: string }).id;
      await allDone(redis, [id], 3000, 'through startApp()\'s front');
      // The options startApp() passes on: to the server, and to the reaper.
      const ttlMs = Number(effective.idempotencyTtlMs);
      const ttl = await redis.observer.pttl(redis.key(`jobs:idempotency:${key}`));
      if (!(ttl > ttlMs - 5000 && ttl <= ttlMs)) throw new Error(`with ${about('idempotencyTtlMs')}, an Idempotency-Key posted to the app had ${ttl} ms to live: startApp() passes idempotencyTtlMs on to createServer()`);
      const maxBodyBytes = Number(effective.maxBodyBytes);
      if (maxBodyBytes < 1000) {
        const big = await call(running.url, 'POST', '/jobs', JSON.stringify({ pad: 'x'.repeat(1000) }), { 'content-type': 'application/json' });
        if (big.status !== 413) throw new Error(`with ${about('maxBodyBytes')}, a body of about 1000 bytes was answered ${big.status}, not 413: startApp() passes maxBodyBytes on to createServer()`);
      }
      // A dead worker's job, on its last attempt: the app's reaper, every reapIntervalMs, dead-letters it after maxAttempts.
      if ('reapIntervalMs' in given && !together) {
        const maxAttempts = Number(effective.maxAttempts);
        const lost = `lost-${tag}`;
        await redis.observer
          .multi()
          .sadd(redis.key(K.workers), `gone-${tag}`)
          .rpush(redis.key(K.processing(`gone-${tag}`)), JSON.stringify({ id: lost, data: { n: 1 } }))
          .hset(redis.key(K.attempts), lost, maxAttempts - 1)
          .exec();
        const ms = Number(given.reapIntervalMs) + 700;
        await until(async () => (await redis.observer.llen(redis.key(K.processing(`gone-${tag}`)))) === 0, ms, () => `with ${about('reapIntervalMs')}, the app's reaper had not taken a dead worker's job back within ${ms} ms: startApp() passes reapIntervalMs on to the reaper`);
        const dead = await redis.observer.lrange(redis.key(K.dead), 0, -1);
        if (!dead.some((job) => job.includes(`"${lost}"`))) throw new Error(`with ${about('maxAttempts')}, a dead worker's job on its attempt ${maxAttempts} was not dead-lettered by the app's reaper: startApp() passes maxAttempts on to it`);
      }
    } finally {
      await within(running.close(), 3000, () => 'close() had not resolved 3 s after it was called');
    }
  },
};
