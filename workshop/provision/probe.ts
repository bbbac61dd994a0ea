/** Questions asked of a Redis, a port or the PATH before a server is used or started. */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';

export interface ServerInfo {
  version: string;
  /** The server's process id, as it reports it (inside a container: the container's own numbering). */
  pid: number;
}

/** Connects once, without retries, and returns the server's version and process id. */
export async function serverInfo(url: string, timeoutMs = 2000): Promise<ServerInfo> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // disconnect() waits this long for the other end to close; one that never answers may never close.
    disconnectTimeout: 100,
  });
  let cause: unknown;
  client.on('error', (error) => {
    cause ??= error;
  });
  // Something that accepts the connection but never answers (not a Redis, or a frozen one) is given up on in time.
  const timer = setTimeout(() => {
    cause ??= new Error(`no answer within ${timeoutMs} ms`);
    client.disconnect();
  }, timeoutMs);
  try {
    await client.connect();
    const info = await client.info('server');
    return {
      version: /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? '0.0.0',
      pid: Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0),
    };
  } catch (error) {
    throw cause ?? error;
  } finally {
    clearTimeout(timer);
    // disconnect() on a connection that never opened leaves a 2 s timer that holds the process.
    if (client.status !== 'end') client.disconnect();
  }
}

/** Connects once, without retries, and returns the server's version. */
export async function probe(url: string, timeoutMs = 2000): Promise<string> {
  return (await serverInfo(url, timeoutMs)).version;
}

/** Compares dotted versions: is `version` at least `min`? */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const b = min.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** `WORKSHOP_REDIS_SERVER`, else the first `redis-server` on the PATH. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.WORKSHOP_REDIS_SERVER) return env.WORKSHOP_REDIS_SERVER;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The version a `redis-server` binary says it is (`Redis server v=7.0.15 …`), without starting it. */
export function binaryVersion(binary: string): string {
  const { stdout } = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return /v=(\d+(?:\.\d+)*)/.exec(stdout ?? '')?.[1] ?? '0.0.0';
}

/** A port nothing listens on now (another process may take it before we do: callers retry). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
