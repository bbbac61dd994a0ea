/**
 * What the checks of lesson 05 share: the tap that sees every command the pool sends (with CLIENT
 * UNBLOCK, which MONITOR leaves out), starting and stopping a pool with explanations, and waiting
 * for a state. Loaded by lesson-05a-checks.ts and lesson-05b-checks.ts.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { WorkerPool } from '#target/05-client-unblock/worker-pool.ts';
import { test as base, type RedisKit } from './workshop-test.ts';
import { deferred, pause, until, within } from './waits.ts';

export { deferred, pause, until, within };

/** stop() must beat this by far: a BLPOP left to its timeout would take 30 s. */
export const STOP_LIMIT_MS = 1000;

export interface Sent {
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
export interface Mark {
  seq: number;
  waiting: Set<Redis>;
}

export type SendCommand = (this: Redis, command: { name: string; args: unknown[] }, stream?: unknown) => unknown;

/**
 * Sees every command the code under test sends, on the connection it is sent on, with its reply.
 * MONITOR cannot: Redis leaves admin commands such as CLIENT UNBLOCK and CLIENT LIST out of it.
 * It wraps ioredis's sendCommand, which every command of every connection in this process goes through.
 */
export class Tap {
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

export const test = base.extend<{ tap: Tap }>({
  tap: async ({ redis }, use) => {
    const tap = new Tap(redis.prefix);
    try {
      await use(tap);
    } finally {
      tap.restore();
    }
  },
});

/** This check's connections, as `worker-1 (blpop)`. */
export async function connectedNow(redis: RedisKit): Promise<string[]> {
  return (await redis.clients()).map((client) => `${client.client} (${client.cmd})`);
}

export async function blockedNow(redis: RedisKit): Promise<string[]> {
  return (await redis.clients()).filter((client) => client.blocked).map((client) => client.client);
}

/** Starts the pool and fails with an explanation when start() does not resolve in 3 s. */
export async function started(redis: RedisKit, pool: WorkerPool): Promise<void> {
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
export async function stopped(redis: RedisKit, tap: Tap, pool: WorkerPool): Promise<number> {
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
export async function settledStop(redis: RedisKit, tap: Tap, run: Promise<void>, mark: Mark): Promise<void> {
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

/** Waits until the console's pool has `workers` workers blocked; fails at once if runConsole() settles first. */
export async function consoleReady(redis: RedisKit, run: Promise<void>, workers = 2): Promise<void> {
  const early = run.then(() => {
    throw new Error('runConsole() resolved before it read any line: it should start the pool, then read the input until an empty line');
  });
  early.catch(() => {});
  await Promise.race([redis.waitForBlocked(workers), early]);
}

/** A Writable that keeps what is written and lets a check wait for a line. */
export function collector(): { stream: Writable; lines: () => string[]; waitFor: (line: RegExp, ms: number) => Promise<void> } {
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
