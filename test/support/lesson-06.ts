/**
 * Helpers for the lesson-06 checks: the queue's invariant read in one transaction, worker and
 * server processes to start and kill, a small HTTP client, and a tap on the commands that leave
 * ioredis (MONITOR does not show CLIENT UNBLOCK).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect as connectSocket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { ROOT } from '../../workshop/target.ts';
import { PREFIX_VARIABLE, URL_VARIABLE } from '../../workshop/redis.ts';
import { deferred, pause, until, within } from './waits.ts';

export { deferred, pause, until, within };

/** The queue's keys, as in jobs.ts (a contract: the checks read Redis directly). */
export const K = {
  waiting: 'jobs:waiting',
  processing: (worker: string) => `jobs:processing:${worker}`,
  alive: (worker: string) => `jobs:alive:${worker}`,
  workers: 'jobs:workers',
  status: 'jobs:status',
  results: 'jobs:results',
  attempts: 'jobs:attempts',
  dead: 'jobs:dead',
  enqueued: 'jobs:enqueued',
  runs: 'jobs:runs',
};

export interface Census {
  waiting: number;
  /** Jobs in processing lists, per worker id (registered workers only). */
  processing: Record<string, number>;
  done: number;
  dead: number;
  enqueued: number;
  /** waiting + every processing list + done + dead. */
  placed: number;
}

/**
 * Where the jobs are, read in one MULTI so that the numbers belong to one moment. The processing
 * lists are those of the registered workers (jobs:workers), read inside the same MULTI; if the set
 * changed since it was listed, it is read again.
 */
export async function census(observer: Redis, prefix: string): Promise<Census> {
  const key = (name: string) => `${prefix}${name}`;
  for (;;) {
    const ids = (await observer.smembers(key(K.workers))).sort();
    const multi = observer.multi().smembers(key(K.workers)).llen(key(K.waiting)).hlen(key(K.results)).llen(key(K.dead)).get(key(K.enqueued));
    for (const id of ids) multi.llen(key(K.processing(id)));
    const replies = ((await multi.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const [members, waiting, done, dead, enqueued, ...lengths] = replies as [string[], number, number, number, string | null, ...number[]];
    if (members.sort().join('\0') !== ids.join('\0')) continue;
    const processing = Object.fromEntries(ids.map((id, i) => [id, lengths[i] ?? 0]));
    const inProcessing = Object.values(processing).reduce((a, b) => a + b, 0);
    return { waiting, processing, done, dead, enqueued: Number(enqueued ?? 0), placed: waiting + inProcessing + done + dead };
  }
}

export function describeCensus(c: Census): string {
  const lists = Object.entries(c.processing).map(([id, n]) => `processing:${id} ${n}`);
  return `enqueued ${c.enqueued}; waiting ${c.waiting}, ${lists.join(', ') || 'no processing list'}, done ${c.done}, dead ${c.dead}`;
}

/** Samples the census every few ms until stopped; keeps the first sample that breaks the invariant. */
export function watchInvariant(observer: Redis, prefix: string): { samples: () => number; broken: () => Census | undefined; stop: () => Promise<void> } {
  let running = true;
  let count = 0;
  let broken: Census | undefined;
  const loop = (async () => {
    while (running) {
      const c = await census(observer, prefix).catch(() => undefined);
      if (c) {
        count++;
        if (c.placed !== c.enqueued && !broken) broken = c;
      }
      await pause(3);
    }
  })();
  return {
    samples: () => count,
    broken: () => broken,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the first stdout line that matches. */
  line(match: RegExp): Promise<string>;
  output(): string;
  /** Set once the process has exited. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const children = new Set<Child>();
const GUARD = pathToFileURL(join(ROOT, 'test/support/lesson-06-guard.ts')).href;

/**
 * Starts `node <file> ...args` with the check's Redis and key prefix, so that connect()
 * in it works as in the test. Every child is killed by killChildren() (call it when the check ends).
 */
export function startChild(name: string, file: string, args: string[], env: Record<string, string>, prefix: string): Child {
  // The guard ends the child if this process dies without killing it.
  const proc = spawn(process.execPath, ['--import', GUARD, file, ...args], {
    cwd: ROOT,
    env: { ...process.env, [URL_VARIABLE]: process.env[URL_VARIABLE] ?? '', [PREFIX_VARIABLE]: prefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = [];
  const scan = () => {
    for (const waiter of [...waiters]) {
      const line = out.split('\n').find((candidate) => waiter.match.test(candidate));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    scan();
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => proc.once('exit', (code, signal) => ((status = { code, signal }), resolve())));
  const child: Child = {
    name,
    process: proc,
    line: (match) => new Promise((resolve) => (waiters.push({ match, resolve }), scan())),
    output: () => out,
    exit: () => status,
    exited,
    async kill(signal = 'SIGKILL') {
      if (!status) proc.kill(signal);
      await exited;
    },
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** Kills every child still running and waits until each has exited. */
export async function killChildren(): Promise<void> {
  await Promise.all([...children].map((child) => child.kill('SIGKILL')));
}

/** What a child printed, for a message: from its first error line if there is one, else its last lines. */
export function tail(child: Child, lines = 5): string {
  // Frames inside Node itself or the packages say nothing about the learner's code.
  const all = child
    .output()
    .split('\n')
    .filter((line) => line.trim() && !/^\s*at .*(?:node:internal|node_modules)/.test(line) && !/^\s*at process\.processTicksAndRejections/.test(line));
  const error = all.findIndex((line) => /^\s*(?:[A-Z]\w*)?Error( \[\w+\])?:/.test(line));
  const shown = error >= 0 ? all.slice(error, error + lines) : all.slice(-lines);
  return shown.length > 0 ? `\n    ${shown.join('\n    ')}` : ' (it printed nothing)';
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

/** One HTTP request with a fresh connection; rejects after `ms` without an answer. */
export function call(url: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, ms = 3000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, url), { method, headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: () => JSON.parse(text) as unknown,
        });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      reject(new Error(`no answer to ${method} ${path} within ${ms / 1000} s`));
      req.destroy();
    }, ms);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** True when a TCP connection to the port is refused (nothing listens). */
export function refused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectSocket({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export interface Sent {
  client: string;
  command: string;
  args: string[];
  reply?: unknown;
}

type SendCommand = (this: Redis, command: { name: string; args: unknown[] }, stream?: unknown) => unknown;

/**
 * Records the commands that connections of this check send (named or prefixed with `prefix`),
 * with their replies, by wrapping ioredis' sendCommand in this process. Undo with restore().
 */
export function tapCommands(prefix: string): { sent: Sent[]; restore: () => void } {
  const proto = Redis.prototype as unknown as { sendCommand: SendCommand };
  const original = proto.sendCommand;
  const sent: Sent[] = [];
  const seen = new WeakSet<object>();
  proto.sendCommand = function (command, stream) {
    const result = original.call(this, command, stream);
    const name = this.options?.connectionName ?? '';
    if (!seen.has(command) && ((this.options?.keyPrefix ?? '') === prefix || name.startsWith(prefix))) {
      seen.add(command);
      const args = command.args.map(String);
      let cmd = command.name.toUpperCase();
      if (cmd === 'CLIENT' && args[0]) cmd += ` ${args.shift()!.toUpperCase()}`;
      const entry: Sent = { client: name.slice(prefix.length), command: cmd, args };
      sent.push(entry);
      if (result instanceof Promise) result.then((reply) => (entry.reply = reply), () => {});
    }
    return result;
  };
  return { sent, restore: () => (proto.sendCommand = original) };
}
