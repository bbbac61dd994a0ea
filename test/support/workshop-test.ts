/**
 * What every lesson suite imports: `step()` to group the checks of one manifest step, and
 * `test` with a `redis` fixture that isolates, traces and cleans up each check.
 *
 * When a check fails, the fixture adds to its message what a learner needs to see: the Redis
 * commands each client sent (a timeline) and the clients still blocked and on what. Then it closes
 * every connection of the check and deletes its keys, so nothing outlives a check. (Threads are
 * reported and ended by `setup.ts`.)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, inject, test as base, type TestContext } from 'vitest';
import { findStep, stepIdOf } from '../../workshop/manifest.ts';
import { RedisUnavailableError } from '../../workshop/provision/provision.ts';
import { openConnections, PREFIX_VARIABLE } from '../../workshop/redis.ts';
import { blockedKeys, explainHang, pushedKey, type StuckClient } from '../../workshop/checks/hang.ts';
import { hangOf } from './hangs.ts';
import { Tracer } from './trace.ts';

export { expect } from 'vitest';

/** Groups the checks of one step; the name starts with the step id so verify can pick it. */
export function step(id: string, body: () => void): void {
  const found = findStep(id);
  if (!found) throw new RangeError(`Step ${id} is not in the manifest (workshop/manifest.ts)`);
  describe(`${id} ${found.step.title}`, { timeout: found.step.timeoutMs }, body);
}

export interface ClientInfo {
  id: string;
  addr: string;
  /** Name without the prefix, as in the timeline. */
  client: string;
  /** The command it runs or last ran, such as `blpop`. */
  cmd: string;
  blocked: boolean;
  /** How many channels and patterns it is subscribed to. */
  channels: number;
}

export interface RedisKit {
  url: string;
  /** This check's key prefix; `connect()` applies it for you. */
  prefix: string;
  /** The full name of a key as Redis stores it: `key('dishes')` is prefix + 'dishes'. */
  key(name: string): string;
  /** A new connection like `connect(name)`: prefixed, named, traced, closed after the check. */
  client(name?: string): Redis;
  /** The harness's own connection: not prefixed, never traced. Use full key names with it. */
  observer: Redis;
  trace: Tracer;
  /** This check's clients, from CLIENT LIST. */
  clients(): Promise<ClientInfo[]>;
  /** Waits until `count` of this check's clients are blocked (in BLPOP and the like). */
  waitForBlocked(count: number, timeoutMs?: number): Promise<ClientInfo[]>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openKit(task: TestContext['task']): Promise<{ kit: RedisKit; close: () => Promise<void> }> {
  const url = inject('redisUrl');
  if (!url) throw new RedisUnavailableError(inject('redisError') || 'No Redis server was provided to this test run.');
  const stepId = stepIdOf(task.suite?.name) ?? 'check';
  const prefix = `ws:${stepId}:${randomBytes(4).toString('hex')}:`;
  let trace: Tracer;
  try {
    trace = await Tracer.start(url, prefix);
  } catch (error) {
    throw new Error(
      `Redis stopped answering at ${url} during the run (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
        'If the workshop started it, run the checks again; if it is your REDIS_URL, check that server.',
      { cause: error },
    );
  }
  const mine: Redis[] = [];
  const previousPrefix = process.env[PREFIX_VARIABLE];
  process.env[PREFIX_VARIABLE] = prefix;

  const clients = async (): Promise<ClientInfo[]> => {
    const list = (await trace.observer.client('LIST')) as string;
    return list
      .split('\n')
      .filter(Boolean)
      .map((line) => Object.fromEntries(line.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])))
      .filter((fields) => trace.owns(fields.addr ?? '') || (fields.name ?? '').startsWith(prefix))
      .map((fields) => {
        trace.learnName(fields.addr ?? '', fields.name ?? '');
        return fields;
      })
      .map((fields) => ({
        id: fields.id ?? '',
        addr: fields.addr ?? '',
        client: trace.label(fields.addr ?? ''),
        cmd: fields.cmd ?? '',
        blocked: (fields.flags ?? '').includes('b'),
        channels: Number(fields.sub ?? 0) + Number(fields.psub ?? 0),
      }));
  };

  const kit: RedisKit = {
    url,
    prefix,
    key: (name) => `${prefix}${name}`,
    client(name = 'test') {
      const conn = new Redis(url, { keyPrefix: prefix, connectionName: `${prefix}${name}`, maxRetriesPerRequest: 1 });
      conn.on('error', () => {});
      mine.push(conn);
      return conn;
    },
    observer: trace.observer,
    trace,
    clients,
    async waitForBlocked(count, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const blocked = (await clients()).filter((client) => client.blocked);
        if (blocked.length >= count) return blocked;
        if (Date.now() > deadline) {
          throw new Error(
            `Expected ${count} client(s) of yours to be blocked waiting on Redis within ${timeoutMs / 1000} s, ` +
              `but ${blocked.length} ${blocked.length === 1 ? 'was' : 'were'}.`,
          );
        }
        await pause(5);
      }
    },
  };

  const close = async () => {
    const failed = task.result?.state === 'fail';
    if (failed) await explainFailure(task, kit).catch(() => {});
    for (const conn of [...mine, ...openConnections()]) conn.disconnect();
    // Whatever is left (connections made some other way) is closed from the server side.
    for (const client of await clients().catch(() => [])) {
      await trace.observer.client('KILL', 'ID', client.id).catch(() => {});
    }
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await trace.observer.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length > 0) await trace.observer.unlink(...keys);
    await trace.stop();
    if (previousPrefix === undefined) delete process.env[PREFIX_VARIABLE];
    else process.env[PREFIX_VARIABLE] = previousPrefix;
  };
  return { kit, close };
}

/** Adds the timeline, the blocked clients and the live threads to a failed check's message. */
async function explainFailure(task: TestContext['task'], kit: RedisKit): Promise<void> {
  const error = task.result?.errors?.[0];
  // An unwritten starter says so itself; a timeline would only add noise.
  if (!error || /^TODO\b/.test(error.message ?? '')) return;
  const alive = await Promise.race([kit.observer.ping().then(() => true, () => false), pause(1000).then(() => false)]);
  if (!alive) {
    error.message = `Redis stopped answering at ${kit.url} during this check, so your code could not finish. What it saw:\n${error.name}: ${error.message}`;
    error.name = 'Error';
    return;
  }
  await kit.trace.settle().catch(() => {});
  const timeline = kit.trace.events.length > 0 ? `Redis commands, as Redis saw them:\n${kit.trace.timeline()}` : '';
  const hang = hangOf(task);
  if (hang) {
    hang.clients = await stuckClients(kit);
    error.message = [explainHang(hang), timeline].filter(Boolean).join('\n\n');
    error.stack = error.message;
    return;
  }
  const notes: string[] = [];
  const blocked = (await kit.clients()).filter((client) => client.blocked);
  for (const client of blocked) {
    const last = kit.trace.commands({ client: client.client }).filter((event) => event.command === client.cmd.toUpperCase()).pop();
    const what = last ? `${last.command} ${last.args.join(' ')}` : client.cmd.toUpperCase();
    notes.push(`Client ${client.client} was still blocked in ${what}${last ? ` (since +${Math.round(last.at)}ms)` : ''}.`);
  }
  const sections = [notes.join('\n'), timeline]
    .filter(Boolean)
    .join('\n\n');
  if (sections) error.message = `${error.message}\n\n${sections}`;
}

/** This check's connections that Redis still holds: blocked in a command, or subscribed and listening. */
async function stuckClients(kit: RedisKit): Promise<StuckClient[]> {
  const pushes = kit.trace.events.map((event) => pushedKey(event.command, event.args)).filter((key): key is string => key !== undefined);
  return (await kit.clients())
    .filter((client) => client.blocked || client.channels > 0)
    .map((client) => {
      const command = client.blocked ? client.cmd.toUpperCase() : '';
      const last = kit.trace.events.filter((event) => event.client === client.client && event.command === command).pop();
      const keys = last ? blockedKeys(command, last.args) : [];
      return {
        client: client.client,
        command,
        keys,
        waitedMs: last ? Math.max(0, kit.trace.elapsed() - last.at) : undefined,
        pushes: pushes.filter((key) => keys.includes(key)).length,
        pushedElsewhere: [...new Set(pushes.filter((key) => !keys.includes(key)))].slice(0, 3),
        channels: client.channels,
      };
    });
}

/** Checks that talk to Redis use this `test`: `test('...', async ({ redis }) => { ... })`. */
export const test = base.extend<{ redis: RedisKit }>({
  redis: async ({ task }, use) => {
    const { kit, close } = await openKit(task);
    try {
      await use(kit);
    } finally {
      await close();
    }
  },
});
