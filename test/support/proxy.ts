/**
 * Connections opened inside `throughProxy()` go through a seeded latency proxy that can hold a
 * command on its way to Redis (workshop/perturb/latency.ts): the checks that need a command to
 * arrive late (a BLPOP or BLMOVE still on its way when CLIENT UNBLOCK is sent) share it.
 */
import { startLatencyProxy, type LatencyProxy } from '../../workshop/perturb/latency.ts';
import { seedFromEnv } from '../../workshop/perturb/schedule.ts';
import { URL_VARIABLE } from '../../workshop/redis.ts';

/** Runs `body` with connect() pointed at the proxy; restores the address and closes the proxy after. */
export async function throughProxy(redis: { url: string }, body: (proxy: LatencyProxy) => Promise<void>): Promise<void> {
  const proxy = await startLatencyProxy(redis.url, seedFromEnv() ?? 1, 1);
  const previous = process.env[URL_VARIABLE];
  process.env[URL_VARIABLE] = proxy.url;
  try {
    await body(proxy);
  } finally {
    if (previous === undefined) delete process.env[URL_VARIABLE];
    else process.env[URL_VARIABLE] = previous;
    await proxy.close();
  }
}
