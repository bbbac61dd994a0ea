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
  const conn = new Redis(url, {
    keyPrefix: prefix,
    connectionName: `${prefix}${name}`.replace(/\s+/g, '-'),
    // Fail within a second or two when Redis is gone instead of retrying for ever:
    // a check that hangs teaches nothing.
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => (attempt > 5 ? null : attempt * 100),
  });
  let warned = false;
  conn.on('error', (error: NodeJS.ErrnoException) => {
    if (warned || !['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'].includes(error.code ?? '')) return;
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
