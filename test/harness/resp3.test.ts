/**
 * ioredis 6 speaks RESP3 (HELLO 3) with replies mapped to the RESP2 shapes. These are the replies
 * the lessons and the harness read, pinned, so that a client upgrade that changes one fails here
 * with its name rather than as a puzzling lesson check.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';

const url = inject('redisUrl');
const opened: Redis[] = [];
afterEach(() => {
  for (const conn of opened.splice(0)) conn.disconnect();
});
function client(name: string, options: { protocol?: 2 } = {}): Redis {
  const conn = new Redis(url, { keyPrefix: 'resp3:', connectionName: `resp3:${name}`, ...options });
  opened.push(conn);
  return conn;
}

describe('reply shapes under ioredis 6', () => {
  it('connects with RESP3; CLIENT LIST and CLIENT INFO stay text, one line per client', async () => {
    const conn = client('lister');
    const list = (await conn.client('LIST')) as unknown;
    expect(typeof list).toBe('string');
    const mine = (list as string).split('\n').find((line) => line.includes(' name=resp3:lister '));
    expect(mine).toMatch(/\bresp=3\b/);
    expect(mine).toMatch(/^id=\d+ /);
  });

  it('BLPOP answers [key, value] (the key with the prefix), or null when its timeout passes', async () => {
    const dryer = client('dryer');
    await client('washer').rpush('dishes', 'plate');
    expect(await dryer.blpop('dishes', 0.1)).toEqual(['resp3:dishes', 'plate']);
    expect(await dryer.blpop('dishes', 0.05)).toBeNull();
  });

  it('a BLPOP ended by CLIENT UNBLOCK answers null, as on a timeout', async () => {
    const dryer = client('blocked');
    const id = (await dryer.client('ID')) as number;
    const waiting = dryer.blpop('nothing-here', 0);
    const admin = client('admin');
    while (!((await admin.client('LIST')) as string).split('\n').some((line) => line.startsWith(`id=${id} `) && / flags=b /.test(line))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await admin.client('UNBLOCK', id)).toBe(1);
    expect(await waiting).toBeNull();
  });

  it('subscribe() resolves with the count of channels; messages come as (channel, text)', async () => {
    const listener = client('listener');
    expect(await listener.subscribe('machine')).toBe(1);
    const got = new Promise<[string, string]>((resolve) => listener.once('message', (channel: string, text: string) => resolve([channel, text])));
    expect(await client('controller').publish('machine', 'start')).toBe(1);
    expect(await got).toEqual(['machine', 'start']);
  });

  it('a subscribed connection runs other commands over RESP3, and is refused them over RESP2 (lesson 04)', async () => {
    const resp3 = client('sub3');
    await resp3.subscribe('machine');
    await expect(resp3.get('anything')).resolves.toBeNull();
    const resp2 = client('sub2', { protocol: 2 });
    await resp2.subscribe('machine');
    await expect(resp2.get('anything')).rejects.toThrow(/subscriber mode/);
  });
});
