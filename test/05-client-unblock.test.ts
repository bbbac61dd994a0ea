import { performance } from 'node:perf_hooks';
import { PassThrough, Readable, Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import { runConsole } from '#target/05-client-unblock/console.ts';
import { WorkerPool } from '#target/05-client-unblock/worker-pool.ts';
import { describeLeft, watchResources } from './support/leftovers.ts';
import { expect, step, test as base, type RedisKit } from './support/workshop-test.ts';
import { URL_VARIABLE } from '../workshop/redis.ts';
import { startLatencyProxy } from '../workshop/perturb/latency.ts';
import { seedFromEnv } from '../workshop/perturb/schedule.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** stop() must beat this by far: a BLPOP left to its timeout would take 30 s. */
const STOP_LIMIT_MS = 1000;

interface Sent {
  seq: number;
  conn: Redis;
  /** The connection's name without the check's prefix, made unique (`worker-1`, `pool#2`). */
  client: string;
  /** Upper case, with CLIENT's subcommand: `BLPOP`, `CLIENT UNBLOCK`. */
  command: string;
  args: string[];
  reply?: unknown;
  /** True once the reply (or an error) is in. */
  done: boolean;
}

/** The moment stop() is called: how many commands had been sent, and which connections were in BLPOP. */
interface Mark {
  seq: number;
  waiting: Set<Redis>;
}

type SendCommand = (this: Redis, command: { name: string; args: unknown[] }, stream?: unknown) => unknown;

/**
 * Sees every command the code under test sends, on the connection it is sent on, with its reply.
 * MONITOR cannot: Redis leaves admin commands such as CLIENT UNBLOCK and CLIENT LIST out of it.
 * It wraps ioredis's sendCommand, which every command of every connection in this process goes through.
 */
class Tap {
  readonly sent: Sent[] = [];
  private readonly proto = Redis.prototype as unknown as { sendCommand: SendCommand };
  private readonly original: SendCommand;
  private readonly ignored = new WeakSet<Redis>();
  private readonly labels = new Map<Redis, string>();
  private readonly seen = new WeakSet<object>();
  private readonly listeners = new Set<(sent: Sent) => void>();

  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    const original = (this.original = this.proto.sendCommand);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tap = this;
    this.proto.sendCommand = function (command, stream) {
      const result = original.call(this, command, stream);
      tap.record(this, command, result);
      return result;
    };
  }

  /** A connection of the test itself, left out of what the tap reports. */
  ignore<T extends Redis>(conn: T): T {
    this.ignored.add(conn);
    return conn;
  }

  private record(conn: Redis, command: { name: string; args: unknown[] }, result: unknown): void {
    const keyPrefix = conn.options?.keyPrefix ?? '';
    const connectionName = conn.options?.connectionName ?? '';
    if (this.ignored.has(conn) || this.seen.has(command) || (keyPrefix !== this.prefix && !connectionName.startsWith(this.prefix))) return;
    this.seen.add(command);
    const args = command.args.map((arg) => String(arg)).map((arg) => (arg.startsWith(this.prefix) ? arg.slice(this.prefix.length) : arg));
    let name = command.name.toUpperCase();
    if (name === 'CLIENT' && args[0]) name += ` ${args.shift()!.toUpperCase()}`;
    const sent: Sent = { seq: this.sent.length, conn, client: this.label(conn), command: name, args, done: false };
    this.sent.push(sent);
    if (result instanceof Promise) {
      result.then(
        (reply) => Object.assign(sent, { reply, done: true }),
        () => (sent.done = true),
      );
    }
    for (const listener of this.listeners) listener(sent);
  }

  private label(conn: Redis): string {
    const known = this.labels.get(conn);
    if (known) return known;
    const base = (conn.options.connectionName ?? '').replace(this.prefix, '') || 'client';
    const taken = new Set(this.labels.values());
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base}#${n}`;
    this.labels.set(conn, label);
    return label;
  }

  commands(command: string): Sent[] {
    return this.sent.filter((sent) => sent.command === command);
  }

  /** The connections that sent BLPOP: the workers'. */
  workers(): Redis[] {
    return [...new Set(this.commands('BLPOP').map((sent) => sent.conn))];
  }

  mark(): Mark {
    return { seq: this.sent.length, waiting: new Set(this.commands('BLPOP').filter((sent) => !sent.done).map((sent) => sent.conn)) };
  }

  /** Resolves with the first command sent from now on that matches, until cancelled. */
  next(match: (sent: Sent) => boolean): { promise: Promise<Sent>; cancel: () => void } {
    let listener: (sent: Sent) => void = () => {};
    const promise = new Promise<Sent>((resolve) => {
      listener = (sent: Sent) => {
        if (!match(sent)) return;
        this.listeners.delete(listener);
        resolve(sent);
      };
      this.listeners.add(listener);
    });
    return { promise, cancel: () => this.listeners.delete(listener) };
  }

  restore(): void {
    this.listeners.clear();
    this.proto.sendCommand = this.original;
  }
}

const test = base.extend<{ tap: Tap }>({
  tap: async ({ redis }, use) => {
    const tap = new Tap(redis.prefix);
    try {
      await use(tap);
    } finally {
      tap.restore();
    }
  },
});

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Awaits `promise`, or fails after `ms` with what `explain` says instead of waiting out the time limit. */
async function within<T>(promise: Promise<T>, ms: number, explain: () => string | Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const outcome = await Promise.race([promise.then((value) => ({ value })), late]).finally(() => clearTimeout(timer));
  if (outcome === 'late') throw new Error(await explain());
  return outcome.value;
}

/** This check's connections, as `worker-1 (blpop)`. */
async function connectedNow(redis: RedisKit): Promise<string[]> {
  return (await redis.clients()).map((client) => `${client.client} (${client.cmd})`);
}

async function blockedNow(redis: RedisKit): Promise<string[]> {
  return (await redis.clients()).filter((client) => client.blocked).map((client) => client.client);
}

/** Starts the pool and fails with an explanation when start() does not resolve in 3 s. */
async function started(redis: RedisKit, pool: WorkerPool): Promise<void> {
  const run = pool.start();
  run.catch(() => {});
  await within(run, 3000, async () => {
    const blocked = await blockedNow(redis);
    return (
      `start() did not resolve within 3 s; Redis lists ${blocked.length} client(s) of yours as blocked (${blocked.join(', ') || 'none'}). ` +
      'Resolve once every worker is blocked in BLPOP: each asks CLIENT ID, then BLPOP, and CLIENT LIST shows flag b for that id.'
    );
  });
}

/** Calls stop() and checks how it ends; returns how long it took. */
async function stopped(redis: RedisKit, tap: Tap, pool: WorkerPool): Promise<number> {
  const mark = tap.mark();
  const t0 = performance.now();
  const run = pool.stop();
  await settledStop(redis, tap, run, mark);
  return performance.now() - t0;
}

/**
 * Awaits a stop() already called (at `mark`). Fails at once with the reason
 * when a worker goes back into BLPOP, when stop() fails, when it is still going after STOP_LIMIT_MS,
 * or when it got there without CLIENT UNBLOCK.
 */
async function settledStop(redis: RedisKit, tap: Tap, run: Promise<void>, mark: Mark): Promise<void> {
  const workers = new Set(tap.workers());
  const early = tap.sent.slice(mark.seq).find((sent) => sent.command === 'BLPOP');
  const next = tap.next((sent) => sent.command === 'BLPOP');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    run.then(
      () => ({ kind: 'done' as const }),
      (error: unknown) => ({ kind: 'failed' as const, error }),
    ),
    (early ? Promise.resolve(early) : next.promise).then((sent) => ({ kind: 'again' as const, sent })),
    new Promise<{ kind: 'late' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'late' }), STOP_LIMIT_MS))),
  ]).finally(() => {
    next.cancel();
    clearTimeout(timer);
  });
  const unblocks = tap.commands('CLIENT UNBLOCK').filter((sent) => sent.seq >= mark.seq);
  if (outcome.kind === 'again' && !mark.waiting.has(outcome.sent.conn)) {
    throw new Error(
      `After stop() was called, ${outcome.sent.client} finished its job and sent BLPOP again, so it may take a new job ` +
        'while the pool is stopping. Check the stop flag before every BLPOP, after a job as well as after a null.',
    );
  }
  if (outcome.kind === 'again') {
    throw new Error(
      `After stop() was called, ${outcome.sent.client} sent BLPOP again. CLIENT UNBLOCK only ends the wait in progress ` +
        '(BLPOP answers null, as on a timeout); a loop that just goes round blocks again. Set a stop flag before you unblock, ' +
        'and check it before every BLPOP.',
    );
  }
  if (outcome.kind === 'late') {
    const own = unblocks.find((sent) => workers.has(sent.conn));
    const blocked = await blockedNow(redis);
    if (own) {
      throw new Error(
        `stop() has not returned after ${STOP_LIMIT_MS / 1000} s: it sent CLIENT UNBLOCK on ${own.client}, the worker's own connection. ` +
          'That connection is busy with its BLPOP, so Redis reads the UNBLOCK only after the BLPOP ends (30 s later). ' +
          'Send CLIENT UNBLOCK from another connection.',
      );
    }
    if (unblocks.length === 0) {
      throw new Error(
        `stop() has not returned after ${STOP_LIMIT_MS / 1000} s, and it sent no CLIENT UNBLOCK: it is waiting out the workers' ` +
          `BLPOP timeout (30 s). ${blocked.length} worker(s) still blocked: ${blocked.join(', ') || 'none'}. ` +
          'Send CLIENT UNBLOCK <id> for each worker, from another connection, so BLPOP returns at once.',
      );
    }
    throw new Error(
      `stop() has not returned after ${STOP_LIMIT_MS / 1000} s although it sent CLIENT UNBLOCK ` +
        `${unblocks.map((sent) => `${sent.args[0]} (answered ${String(sent.reply)})`).join(', ')}. Still blocked: ${blocked.join(', ') || 'none'}. ` +
        'An UNBLOCK answered 0 found no blocked client with that id: send it for each worker id, again while its BLPOP is on its way.',
    );
  }
  if (unblocks.length === 0 && mark.waiting.size > 0) {
    const how = outcome.kind === 'failed' ? `failed with "${(outcome.error as Error)?.message ?? String(outcome.error)}"` : 'returned';
    throw new Error(
      `stop() ${how} without sending CLIENT UNBLOCK: it ended the workers by dropping their connections (disconnect(), CLIENT KILL). ` +
        'A BLPOP cut off that way can lose the job Redis popped for it, and the loop ends with an error. Send CLIENT UNBLOCK <id> ' +
        'from another connection, let each loop see the stop flag, and quit() each connection.',
    );
  }
  if (outcome.kind === 'failed') throw outcome.error;
}

/** Waits until `check` holds, or fails with what `explain` says after `ms`. */
async function until(check: () => Promise<boolean> | boolean, ms: number, explain: () => string | Promise<string>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(await explain());
    await pause(5);
  }
}

/** Waits until the console's pool has `workers` workers blocked; fails at once if runConsole() settles first. */
async function consoleReady(redis: RedisKit, run: Promise<void>, workers = 2): Promise<void> {
  const early = run.then(() => {
    throw new Error('runConsole() resolved before it read any line: it should start the pool, then read the input until an empty line');
  });
  early.catch(() => {});
  await Promise.race([redis.waitForBlocked(workers), early]);
}

/** A Writable that keeps what is written and lets a check wait for a line. */
function collector(): { stream: Writable; lines: () => string[]; waitFor: (line: RegExp, ms: number) => Promise<void> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const lines = () => text.split('\n').filter(Boolean);
  const waitFor = (line: RegExp, ms: number) =>
    until(() => lines().some((seen) => line.test(seen)), ms, () => `expected a line like ${line} in the output within ${ms / 1000} s, got:\n${text || '(nothing)'}`);
  return { stream, lines, waitFor };
}

step('05a', () => {
  test('.start() resolves once every worker waits in BLPOP, each on its own connection with its own CLIENT ID', async ({ redis, tap }) => {
    const pool = new WorkerPool({ workers: 3, handle: () => {} });
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
      `start() resolved while Redis listed ${blocked.length} of your 3 workers as blocked: resolve only once every worker waits in BLPOP ` +
        '(CLIENT LIST shows flag b for its id)',
    ).toBe(3);
    expect(ids.length, `clientIds should hold the 3 workers' CLIENT IDs once start() has resolved, got [${ids.join(', ')}]`).toBe(3);
    for (const id of ids) {
      expect(
        blocked.map((client) => client.id),
        `clientIds holds ${id}, but no blocked client of yours has that id: ask CLIENT ID on the worker's own connection, the one that sends BLPOP`,
      ).toContain(id);
    }
    await stopped(redis, tap, pool);
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
    const proxy = await startLatencyProxy(redis.url, seedFromEnv() ?? 1, 1);
    const previous = process.env[URL_VARIABLE];
    process.env[URL_VARIABLE] = proxy.url;
    try {
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
    } finally {
      if (previous === undefined) delete process.env[URL_VARIABLE];
      else process.env[URL_VARIABLE] = previous;
      await proxy.close();
    }
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
    const pool = new WorkerPool({ workers: 2, handle: (job) => handled.get(job)?.() });
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
    expect(() => new WorkerPool({ workers: 1, handle: 'print' as never }), 'a handle that is not a function should throw a TypeError naming `handle`').toThrow(
      /handle/,
    );
  });
});

step('05b', () => {
  test('runConsole() resolves only once the pool has stopped: a job in progress finishes first', async ({ redis }) => {
    const gate = deferred();
    const began = deferred();
    const finished: string[] = [];
    const input = new PassThrough();
    let settled = false;
    const run = runConsole(input, {
      output: collector().stream,
      handle: async (job) => {
        began.resolve();
        await gate.promise;
        finished.push(job);
      },
    });
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await consoleReady(redis, run);
    input.write('slow\n');
    await within(began.promise, 2000, () => 'the line "slow" did not reach handle() within 2 s');
    input.write('\n');
    await until(async () => (await blockedNow(redis)).length === 0, 2000, async () =>
      `after the empty line, ${(await blockedNow(redis)).join(', ')} still waited in BLPOP: runConsole() should stop the pool at the first ` +
      'empty line, without waiting for the input to end',
    );
    await Promise.race([run.catch(() => {}), pause(500)]);
    expect(settled, 'runConsole() resolved while a job was still being handled: await pool.stop(), which waits for it').toBe(false);
    gate.resolve();
    await within(run, 2000, () => 'runConsole() did not resolve within 2 s after the last job finished');
    expect(finished).toEqual(['slow']);
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected').toEqual([]);
  });

  test('runConsole() pushes each line as a job and stops the pool at the empty line, reading no further', async ({ redis, tap }) => {
    const output = collector();
    const run = runConsole(Readable.from(['apple\n', 'pear\n', '\n', 'plum\n']), { output: output.stream });
    await within(run, 3000, async () => {
      const blocked = await blockedNow(redis);
      return blocked.length > 0
        ? `runConsole() has not resolved 3 s after the empty line, and ${blocked.join(', ')} still wait in BLPOP: on the empty line, stop the pool`
        : 'runConsole() has not resolved 3 s after the empty line: stop reading at the first empty line, then await pool.stop()';
    });
    const pushed = tap.commands('RPUSH').flatMap((sent) => sent.args.slice(1));
    expect(pushed, '"plum" came after the empty line, but runConsole() pushed it as a job: stop reading at the first empty line').not.toContain('plum');
    expect(pushed, 'each line before the empty one should be pushed as a job (RPUSH), in order').toEqual(['apple', 'pear']);
    const done = output.lines().flatMap((line) => /^worker (\d+): (.*)$/.exec(line)?.slice(1) ?? []);
    const byJob = new Map<string, string>();
    for (let i = 0; i < done.length; i += 2) byJob.set(done[i + 1]!, done[i]!);
    expect([...byJob.keys()].sort(), `the default handle() writes "worker N: job" to output; the output was:\n${output.lines().join('\n')}`).toEqual([
      'apple',
      'pear',
    ]);
    expect(byJob.get('apple'), 'apple and pear should go to the two different workers, as Redis hands each job to the one that waited longest').not.toBe(
      byJob.get('pear'),
    );
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected: stop the pool and quit your own connection').toEqual([]);
  });

  test('runConsole() takes lines as they are typed and stops at the empty line without waiting for the input to end', async ({ redis, tap }) => {
    const input = new PassThrough();
    const output = collector();
    const run = runConsole(input, { output: output.stream });
    run.catch(() => {});
    await consoleReady(redis, run);
    input.write('one\n');
    await output.waitFor(/^worker \d+: one$/, 2000);
    input.write('two\n');
    await output.waitFor(/^worker \d+: two$/, 2000);
    input.write('\n');
    await within(run, 3000, () => 'runConsole() did not resolve within 3 s of the empty line. The input is still open: do not wait for its end, stop at the empty line');
    input.write('three\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(input.listenerCount('data'), 'runConsole() still reads the input after it resolved: close the readline interface').toBe(0);
    expect(tap.commands('RPUSH').flatMap((sent) => sent.args.slice(1)), 'lines typed after the empty line are not jobs').toEqual(['one', 'two']);
    const [one, two] = ['one', 'two'].map((job) => output.lines().find((line) => line.endsWith(`: ${job}`))?.split(':')[0]);
    expect(one, 'with both workers waiting, "one" and "two" should go to different workers').not.toBe(two);
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected').toEqual([]);
  });

  test('runConsole() also stops at the end of the input, and passes workers, queue and handle on', async ({ redis, tap }) => {
    const seen: Array<[string, number]> = [];
    const run = runConsole(Readable.from(['a\n', 'b\n', 'c']), {
      workers: 3,
      queue: 'tasks',
      output: collector().stream,
      handle: (job, worker) => void seen.push([job, worker]),
    });
    await within(run, 3000, () => 'runConsole() did not resolve within 3 s after the input ended: the end of the input stops the pool too');
    expect(
      tap.commands('RPUSH').map((sent) => `${sent.args[0]} ${sent.args[1]}`),
      'each line, the last one too (it has no newline), should be pushed onto the queue given in options',
    ).toEqual(['tasks a', 'tasks b', 'tasks c']);
    expect(seen.map(([job]) => job).sort(), 'the handle() given in options should get every job').toEqual(['a', 'b', 'c']);
    expect(new Set(seen.map(([, worker]) => worker)).size, 'with 3 workers waiting, the 3 jobs should go to 3 different workers').toBe(3);
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected').toEqual([]);
  });
});
