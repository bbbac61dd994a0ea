/**
 * What the lesson-06 checks share (test/06-reliable-queue.test.ts loads the checks of each step from
 * test/support/lesson-06<step>-checks.ts): jobs pushed as enqueue() does, workers of the check,
 * worker processes, the learner's server and app started and closed with explanations.
 */
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request as httpRequest, type Server } from 'node:http';
import { onTestFinished } from 'vitest';
import { startApp, type App, type Closed } from '#target/06-reliable-queue/app.ts';
import type { Job } from '#target/06-reliable-queue/jobs.ts';
import { createServer } from '#target/06-reliable-queue/server.ts';
import { QueueWorker, type WorkerOptions } from '#target/06-reliable-queue/worker.ts';
import { ROOT } from '../../workshop/target.ts';
import { deferred, K, killChildren, pause, startChild, tail, until, within, type Child, type Reply, type Sent } from './lesson-06.ts';
import type { RedisKit } from './workshop-test.ts';

// The files behind the #target alias: a child process cannot use the alias, so it gets the path.
const targetFiles = Object.keys(import.meta.glob('#target/06-reliable-queue/*.ts'));
export function targetFile(file: string): string {
  const key = targetFiles.find((candidate) => candidate.endsWith(`/${file}`));
  if (!key) throw new Error(`06-reliable-queue/${file} is missing: the checks need it`);
  return isAbsolute(key) && key.startsWith(ROOT) ? key : join(ROOT, key);
}
export const SERVER_HELPER = join(ROOT, 'test/support/lesson-06-server.ts');
export const LOAD_HELPER = join(ROOT, 'test/support/lesson-06-load.ts');
/** close() must beat this by far: a BLMOVE left to its timeout would take 30 s. */
export const CLOSE_LIMIT_MS = 1000;

export const raw = (id: string, data: unknown = {}) => JSON.stringify({ id, data });

/** Puts jobs in jobs:waiting as enqueue() does (counted, with a status), in one MULTI. */
export async function push(redis: RedisKit, ...jobs: string[]): Promise<void> {
  const key = redis.key;
  const multi = redis.observer.multi().rpush(key(K.waiting), ...jobs).incrby(key(K.enqueued), jobs.length);
  for (const job of jobs) multi.hset(key(K.status), (JSON.parse(job) as Job).id, 'waiting');
  await multi.exec();
}

/** A worker of the check: started with a short BLMOVE timeout, stopped when the check ends. */
export async function started(options: WorkerOptions): Promise<QueueWorker> {
  const worker = new QueueWorker({ blockTimeoutSec: 0.1, ...options });
  onTestFinished(() => within(worker.stop(), 2000, () => '').catch(() => {}));
  await within(worker.start(), 3000, () => 'start() did not resolve within 3 s: resolve once the worker is registered and its loop runs');
  return worker;
}

export async function lrange(redis: RedisKit, name: string): Promise<string[]> {
  return redis.observer.lrange(redis.key(name), 0, -1);
}

/** Waits for the outcome of a job in jobs:results; fails with `explain` after `ms`. */
export async function outcome(redis: RedisKit, id: string, ms: number, explain: () => string | Promise<string>): Promise<unknown> {
  await until(async () => (await redis.observer.hexists(redis.key(K.results), id)) === 1, ms, explain);
  return JSON.parse((await redis.observer.hget(redis.key(K.results), id))!) as unknown;
}

/** The commands of the check's clients (not Lua's), from the trace. */
export async function sentCommands(redis: RedisKit, client?: string): Promise<string[]> {
  await redis.trace.settle();
  return redis.trace.commands({ client }).filter((event) => event.client !== 'client:lua').map((event) => event.command);
}

/**
 * Starts worker-process.ts as worker `id` (jobs named in `hangFirstRun` hang in their first run);
 * resolves once it printed `ready`, fails at once if it exits first.
 */
export async function workerProcess(redis: RedisKit, id: string, leaseMs: number, hangFirstRun: string[] = []): Promise<Child> {
  const env = { WORKER_ID: id, JOB_LEASE_MS: String(leaseMs), JOB_HANG_FIRST_RUN: hangFirstRun.join(',') };
  const child = startChild(`worker ${id}`, targetFile('worker-process.ts'), [], env, redis.prefix);
  onTestFinished(killChildren);
  await alive(child, child.line(/^ready\b/), 10_000, 'print "ready" (its worker started)');
  return child;
}

/**
 * Awaits `promise` while `child` runs; fails at once with its output when it exits first. On
 * failure every child of the check is killed first, so none is left to look like the learner's.
 */
export async function alive<T>(child: Child, promise: Promise<T>, ms: number, what: string): Promise<T> {
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

export function describeExit(child: Child): string {
  const status = child.exit();
  return status?.signal ? `killed by ${status.signal}` : `exit code ${status?.code}`;
}

/** Registers worker `id` as holding `jobs`; alive (its heartbeat key set) or dead (no heartbeat key). */
export async function holding(redis: RedisKit, id: string, state: 'alive' | 'dead', ...jobs: string[]): Promise<void> {
  const key = redis.key;
  const multi = redis.observer.multi().sadd(key(K.workers), id).incrby(key(K.enqueued), jobs.length);
  if (jobs.length > 0) multi.rpush(key(K.processing(id)), ...jobs);
  for (const job of jobs) multi.hset(key(K.status), (JSON.parse(job) as Job).id, 'processing');
  if (state === 'alive') multi.set(key(K.alive(id)), '1', 'PX', 20_000);
  await multi.exec();
}

export const MOVES = ['LREM', 'RPUSH', 'LPUSH', 'RPOP', 'LPOP', 'LSET', 'RPUSHX', 'LPUSHX'];

/**
 * Splits one client's commands (in the order Redis saw them) into those sent on their own and those
 * inside a MULTI ... EXEC that follows a WATCH. Such a transaction runs as one step, and only if no
 * watched key changed since the WATCH: what it moves is moved atomically, as by a script. A MULTI
 * with no WATCH before it does not count: the reads it was decided on may be stale by EXEC.
 */
export function watchedTransactions(commands: string[]): { loose: string[]; watchedExec: boolean } {
  const loose: string[] = [];
  let watching = false;
  let inside = false;
  let watchedExec = false;
  for (const command of commands) {
    if (command === 'WATCH') watching = true;
    else if (command === 'UNWATCH') watching = false;
    else if (command === 'MULTI') inside = watching;
    else if (command === 'EXEC' || command === 'DISCARD') {
      if (inside && command === 'EXEC') watchedExec = true;
      inside = false;
      watching = false;
    } else if (!inside) loose.push(command);
  }
  return { loose, watchedExec };
}

/** Serves createServer() of the check on a free loopback port; closed when the check ends. */
export async function serve(redis: RedisKit, maxBodyBytes?: number, options: { idempotencyTtlMs?: number } = {}): Promise<{ url: string; server: Server }> {
  const server = createServer(redis.client('http'), maxBodyBytes === undefined ? options : { maxBodyBytes, ...options });
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: await listening(server), server };
}

/** Starts `server` on a free loopback port; resolves with its URL. */
export async function listening(server: Server): Promise<string> {
  await within(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())), 2000, () => 'the server did not start listening within 2 s');
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/**
 * Sends a body of `total` bytes (declared in Content-Length, or chunked when `declare` is false)
 * but stops after `cap` bytes without ending it; resolves with the status if an answer came within `ms`.
 */
export function oversize(url: string, total: number, declare: boolean, cap: number, ms: number): Promise<{ status?: number; sent: number }> {
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

/** Starts the app of the check; closed (with a time limit) when the check ends. */
export async function app(options: Parameters<typeof startApp>[0]): Promise<App> {
  const started = await within(startApp(options), 5000, () => 'startApp() did not resolve within 5 s: resolve once the workers have started and the server listens');
  onTestFinished(() => within(started.close(), 2000, () => '').then(
    () => {},
    () => {},
  ));
  return started;
}

/**
 * Calls close() and explains how it ended when it is wrong: late (no CLIENT UNBLOCK, or still
 * blocked), or done without CLIENT UNBLOCK while workers were blocked. Returns how long it took.
 */
export async function closed(redis: RedisKit, tap: { sent: Sent[] }, running: App, closing?: Promise<Closed | void>): Promise<number> {
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

/**
 * POST /jobs announcing `size` bytes with `Expect: 100-continue`: the body (`body`, or `size` bytes
 * of filler) is sent only once the server says 100 Continue. Resolves with the final status (if one
 * came within 3 s), whether the server said 100 Continue, and the client's error if any.
 */
export function expectContinue(url: string, size: number, body?: string): Promise<{ status?: number; continued: boolean; error?: string }> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', 'content-length': String(size), expect: '100-continue' };
    const req = httpRequest(new URL('/jobs', url), { method: 'POST', headers, agent: false });
    let continued = false;
    let done = false;
    const finish = (status?: number, error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, continued, error });
    };
    const timer = setTimeout(() => finish(undefined, 'no answer within 3 s'), 3000);
    req.on('continue', () => {
      continued = true;
      if (body !== undefined) return void req.end(body);
      const chunk = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
      let sent = 0;
      const pump = () => {
        while (!done && sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode);
    });
    req.on('error', (error) => finish(undefined, error.message));
    req.flushHeaders();
  });
}

/**
 * `count` POST /jobs with the same body and headers, as close to the same moment as a client can
 * make them: each request is sent but its last byte, and once every one is connected and waiting,
 * the last bytes go out together. Resolves with the answers.
 */
export async function together(url: string, count: number, body: string, headers: Record<string, string>): Promise<Reply[]> {
  const bytes = Buffer.from(body);
  const go = deferred();
  const ready: Promise<void>[] = [];
  const replies = Array.from({ length: count }, () => {
    const sent = deferred();
    ready.push(sent.promise);
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(new URL('/jobs', url), { method: 'POST', headers: { ...headers, connection: 'close', 'content-length': String(bytes.length) }, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown }));
      });
      req.on('error', reject);
      req.write(bytes.subarray(0, -1), () => sent.resolve());
      void go.promise.then(() => req.end(bytes.subarray(-1)));
    });
  });
  await Promise.all(ready);
  // Let the server read every request's headers and first bytes before the last bytes go out.
  await pause(50);
  go.resolve();
  return Promise.all(replies);
}
