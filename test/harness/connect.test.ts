/**
 * connect(), the connection learner code gets: it gives up soon on a server it never reached (the
 * learner is told what to do and the script ends), and comes back after a Redis restart (a queue
 * must outlive one: lesson 06's front, reaper and workers run on these connections).
 */
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { freePort, startRedisServer } from '../../workshop/provision/provision.ts';
import { connect, OUTAGE_LIMIT_MS, PREFIX_VARIABLE, retryDelay, URL_VARIABLE } from '../../workshop/redis.ts';

const saved = { url: process.env[URL_VARIABLE], prefix: process.env[PREFIX_VARIABLE] };
afterEach(() => {
  for (const [name, value] of [
    [URL_VARIABLE, saved.url],
    [PREFIX_VARIABLE, saved.prefix],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function connectTo(url: string, name: string) {
  process.env[URL_VARIABLE] = url;
  delete process.env[PREFIX_VARIABLE];
  const conn = connect(name);
  onTestFinished(() => conn.disconnect());
  return conn;
}

describe('connect()', () => {
  it('comes back after Redis was down for 3 s, where it used to give up after 1.5 s', { timeout: 20_000 }, async () => {
    const redis = await startRedisServer({ graceMs: 500 });
    onTestFinished(() => redis.stop());
    const conn = connectTo(redis.url, 'front');
    await conn.set('before', '1');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => errors.mockRestore());
    await redis.restart({ downMs: 3000 });
    // A command sent meanwhile may fail (it gives up after two tries); the connection does not.
    const answered = await (async () => {
      for (const until = Date.now() + 5000; Date.now() < until; ) {
        if (conn.status === 'end') return `the connection ended for good (status ${conn.status})`;
        if ((await conn.ping().catch(() => undefined)) === 'PONG') return 'PONG';
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return `no PONG within 5 s of the restart (status ${conn.status})`;
    })();
    expect(answered).toBe('PONG');
    expect(errors, 'a server that was reached and is restarting needs no advice').not.toHaveBeenCalled();
  });

  it('gives up within about 1.5 s on a server it never reached, and says once what to do', async () => {
    const port = await freePort();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => errors.mockRestore());
    const started = Date.now();
    const conn = connectTo(`redis://127.0.0.1:${port}`, 'washer');
    await new Promise((resolve) => conn.once('end', resolve));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toContain(`Redis is not reachable at redis://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('tries again at least once a second for a minute after losing a server it had reached, then gives up', () => {
    const delays = Array.from({ length: 30 }, (_, i) => retryDelay(i + 1, true, i * 1000));
    expect(delays.every((delay) => delay !== null && delay <= 1000)).toBe(true);
    expect(retryDelay(61, true, OUTAGE_LIMIT_MS + 1)).toBeNull();
    expect(retryDelay(6, false, 1500)).toBeNull();
  });
});
