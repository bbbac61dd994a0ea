/**
 * The Redis connection for learner code: `import { connect } from '#workshop/redis'`.
 *
 * The checks and the runner start a server and tell your code where it is through the
 * environment, so your code never hard-codes an address. Each test also sets a key prefix, so
 * that many learners (or many test files) can share one server without touching each other.
 */
import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

/** Set by the workshop to the server it started; wins over `REDIS_URL`. */
export const URL_VARIABLE = 'WORKSHOP_REDIS_URL';
/** Set by each check to keep its keys apart from every other check's. */
export const PREFIX_VARIABLE = 'WORKSHOP_KEY_PREFIX';

/** The address `connect()` uses: the workshop's server, else `REDIS_URL`, else the default port. */
export function redisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env[URL_VARIABLE] || env.REDIS_URL || 'redis://127.0.0.1:6379';
}

/** The key prefix `connect()` applies to every key, or `''` outside the checks. */
export function keyPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return env[PREFIX_VARIABLE] ?? '';
}

const open = new Set<Redis>();

/** How long a connection that was open goes on trying to reconnect: a restart loading its data can take seconds. */
export const OUTAGE_LIMIT_MS = 60_000;

/**
 * When a connection tries again, or null to give up and end it. A server never reached is given
 * up on after five tries (about 1.5 s): the warning says what to do, and a script without Redis
 * ends. A server that was reached and went away (restarted, or the connection cut) is tried again
 * at least once a second for OUTAGE_LIMIT_MS: a queue must outlive a Redis restart.
 */
export function retryDelay(attempt: number, wasReady: boolean, downForMs: number): number | null {
  if (!wasReady) return attempt > 5 ? null : attempt * 100;
  return downForMs > OUTAGE_LIMIT_MS ? null : Math.min(attempt * 100, 1000);
}

/**
 * Opens a new connection to the workshop's Redis.
 *
 * Every blocking consumer needs its own connection: one connection runs one blocking command
 * at a time, and a BLPOP holds it until an item arrives.
 *
 * @param name - shown in `CLIENT LIST` and in the timeline a failed check prints.
 * @default name 'client'
 * @example
 * const conn = connect('dryer');
 * const [, dish] = (await conn.blpop('dishes', 0))!;
 * await conn.quit();
 */
export function connect(name = 'client'): Redis {
  const url = redisUrl();
  const prefix = keyPrefix();
  let wasReady = false;
  let downSince = 0;
  const conn = new Redis(url, {
    keyPrefix: prefix,
    connectionName: `${prefix}${name}`.replace(/\s+/g, '-'),
    // A command fails within a second or two when Redis is gone instead of waiting for ever:
    // a check that hangs teaches nothing.
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => {
      if (attempt === 1) downSince = Date.now();
      return retryDelay(attempt, wasReady, Date.now() - downSince);
    },
  });
  conn.on('ready', () => (wasReady = true));
  let warned = false;
  conn.on('error', (error: NodeJS.ErrnoException) => {
    // A server that was reached and is restarting needs no advice; one never reached does.
    if (warned || wasReady || !['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'].includes(error.code ?? '')) return;
    warned = true;
    console.error(
      `Redis is not reachable at ${url} (${error.code}). Run your code through \`npm run verify\`, ` +
        'which starts a server for you, or start one with `redis-server`, or set REDIS_URL.',
    );
  });
  open.add(conn);
  conn.once('end', () => open.delete(conn));
  return conn;
}

/** Connections made by `connect()` in this thread that have not ended yet. */
export function openConnections(): Redis[] {
  return [...open];
}
