/**
 * What the bench asks Redis about the code it measures: which of its clients are blocked, and,
 * at the end, to forget every key of the run.
 */
import { Redis } from 'ioredis';
import { pause } from './stats.ts';

/** A connection of the bench's own, without the key prefix (it names full keys itself). */
export function plainClient(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: 2, retryStrategy: (attempt) => (attempt > 5 ? null : attempt * 100) });
}

/** How many clients whose name starts with `namePrefix` are blocked (flag `b` in CLIENT LIST). */
export async function blockedCount(conn: Redis, namePrefix: string): Promise<number> {
  const list = String(await conn.client('LIST'));
  return list.split('\n').filter((line) => {
    const name = /\bname=(\S*)/.exec(line)?.[1] ?? '';
    return name.startsWith(namePrefix) && /\bflags=\S*b/.test(line);
  }).length;
}

/**
 * Polls `check` every `everyMs` until it returns true; fails with `what` after `timeoutMs`.
 * Polling is the bench's own business: the code it measures never polls.
 */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 1): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await pause(everyMs);
  }
}

/** Deletes every key that starts with `prefix`, so a shared server is left as it was. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const conn = plainClient(url, 'bench-cleanup');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await conn.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await conn.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    conn.disconnect();
  }
}
