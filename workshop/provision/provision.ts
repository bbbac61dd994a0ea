/**
 * Finds a Redis server for a run of the workshop, in this order:
 *   1. `REDIS_URL`, when set (a classroom server, or one you run yourself);
 *   2. a local `redis-server` binary, started on a free loopback port with no persistence;
 *   3. Docker, through testcontainers;
 * and otherwise fails with one message that names all three ways.
 *
 * A server this module starts is stopped by `stop()`, and also when the process that started
 * it dies in any way: the local server is watched by a tiny shell guard that ends it once our
 * end of its stdin pipe closes, and a container is reaped by testcontainers' own watchdog.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';

export type RedisSource = 'REDIS_URL' | 'redis-server' | 'docker';

export interface ProvidedRedis {
  url: string;
  source: RedisSource;
  version: string;
  /** Stops a server this module started; leaves a `REDIS_URL` server alone. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ProvideOptions {
  /** The oldest Redis the lessons of this run can use, such as `'6.2'`. */
  minVersion?: string;
  /** Environment to read `REDIS_URL` and `WORKSHOP_REDIS_SERVER` from. */
  env?: NodeJS.ProcessEnv;
  /** Try Docker when nothing else is there. @default true, unless WORKSHOP_DOCKER=0 */
  docker?: boolean;
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export const HOW_TO_GET_REDIS = [
  'The workshop needs a Redis server, and found none. Any one of these will do:',
  '  1. Install Redis so that `redis-server` is on your PATH, and the workshop starts and stops it for you:',
  '       Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis',
  '  2. Start Docker (Docker Desktop, colima or dockerd): the workshop then runs Redis in a container.',
  '  3. Point the workshop at a server you already have:  REDIS_URL=redis://host:6379 npm start',
].join('\n');

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

export function tooOldMessage(version: string, min: string, where: string): string {
  return [
    `Redis ${version} (${where}) is too old for these lessons: they need Redis ${min} or newer`,
    '(blocking pops with fractional timeouts, CLIENT UNBLOCK, BLMOVE).',
    'Install a newer redis-server, start Docker instead, or set REDIS_URL to a newer server.',
  ].join('\n');
}

/** Connects once, without retries, and returns the server's version. */
export async function probe(url: string, timeoutMs = 2000): Promise<string> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let cause: unknown;
  client.on('error', (error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? '0.0.0';
  } catch (error) {
    throw cause ?? error;
  } finally {
    // disconnect() on a connection that never opened leaves a 2 s timer that holds the process.
    if (client.status !== 'end') client.disconnect();
  }
}

export async function provideRedis(options: ProvideOptions = {}): Promise<ProvidedRedis> {
  const env = options.env ?? process.env;
  const min = options.minVersion ?? '0';
  const reasons: string[] = [];

  const url = env.REDIS_URL;
  if (url) {
    let version: string;
    try {
      version = await probe(url);
    } catch (error) {
      throw new RedisUnavailableError(
        `REDIS_URL is ${safeUrl(url)}, but no Redis answered there (${describe(error)}).\n` +
          'Check the address and that the server is up, or unset REDIS_URL to let the workshop start its own.',
        { cause: error },
      );
    }
    if (!versionAtLeast(version, min)) throw new RedisUnavailableError(tooOldMessage(version, min, `REDIS_URL ${url}`));
    return { url, source: 'REDIS_URL', version, stop: async () => {} };
  }

  const binary = findRedisServer(env);
  if (binary) {
    const local = await startRedisServer(binary);
    if (!versionAtLeast(local.version, min)) {
      await local.stop();
      throw new RedisUnavailableError(tooOldMessage(local.version, min, binary));
    }
    return local;
  }
  reasons.push('no `redis-server` on your PATH');

  if (options.docker ?? env.WORKSHOP_DOCKER !== '0') {
    try {
      const container = await startContainer();
      if (!versionAtLeast(container.version, min)) {
        await container.stop();
        throw new RedisUnavailableError(tooOldMessage(container.version, min, 'Docker'));
      }
      return container;
    } catch (error) {
      if (error instanceof RedisUnavailableError) throw error;
      reasons.push(`Docker did not work (${describe(error)})`);
    }
  }

  throw new RedisUnavailableError(`${HOW_TO_GET_REDIS}\n(Tried: ${reasons.join('; ')}; REDIS_URL is not set.)`);
}

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

/*
 * The guard runs redis-server in the background and ends it when its stdin reaches end of file,
 * which happens when we close the pipe in stop() and also when this process dies, however it
 * dies. It exits when redis-server exits, so a server that fails to start is seen at once.
 * The server keeps nothing on disk, so it is killed outright: a polite SIGTERM costs up to 100 ms,
 * the time Redis takes to notice it, at the end of every run. (The history check of lesson 06 runs
 * its own server under this guard too: there, killed outright is the crash it means to cause.)
 */
export const GUARD = [
  'exec 3<&0',
  '"$@" 3<&- &',
  'pid=$!',
  "trap 'kill -KILL $pid 2>/dev/null; wait $pid; exit 0' TERM INT HUP",
  '( read -r _ <&3; kill -KILL $pid 2>/dev/null ) &',
  'wait $pid',
].join('\n');

/** The same guard for a server that keeps data: SIGTERM, so Redis writes its append-only file out. */
const POLITE_GUARD = GUARD.replaceAll('kill -KILL', 'kill -TERM');

export interface RedisServerOptions {
  /** The address to listen on. @default '127.0.0.1' */
  bind?: string;
  /** A port to try first (a restarted classroom keeps its ports when it can); else a free one. */
  port?: number;
  /** `requirepass`: clients must AUTH with it. */
  password?: string;
  /** Keep data here, with an append-only file; the folder is kept. Without it: a temporary folder, no persistence. */
  dataDir?: string;
  /** More `--name value` arguments. */
  args?: string[];
}

/**
 * Starts `binary` under the guard and waits until it answers. The server dies with this process,
 * and `stop()` ends it (SIGKILL without a data folder: there is nothing to lose; SIGTERM with one,
 * so the append-only file is flushed).
 */
export async function startRedisServer(binary: string, options: RedisServerOptions = {}, attempts = 3): Promise<ProvidedRedis> {
  let lastError: unknown;
  const bind = options.bind ?? '127.0.0.1';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = attempt === 0 && options.port ? options.port : await freePort(bind);
    const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'workshop-redis-'));
    const persistence = options.dataDir ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--save', '', '--appendonly', 'no'];
    // The password goes in a file only we can read, not on the command line that `ps` shows to everyone.
    const config = join(dir, 'password.conf');
    if (options.password) writeFileSync(config, `requirepass ${options.password}\n`, { mode: 0o600 });
    const args = [
      ...(options.password ? [config] : []),
      '--port', String(port), '--bind', bind, ...persistence,
      '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', '--logfile', '',
      ...(options.args ?? []),
    ];
    const child = spawn('sh', ['-c', options.dataDir ? POLITE_GUARD : GUARD, 'redis-guard', binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
    const url = `redis://${auth}${host}:${port}`;
    const stop = once(() => stopChild(child, options.dataDir ? undefined : dir));
    try {
      const version = await waitUntilUp(url, child, () => output);
      return { url, source: 'redis-server', version, stop };
    } catch (error) {
      lastError = error;
      await stop();
    }
  }
  throw new RedisUnavailableError(`redis-server (${binary}) did not start: ${describe(lastError)}`, { cause: lastError });
}

export async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited at once: ${output().trim() || 'no output'}`);
    }
    try {
      return await probe(url, 500);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no answer after 10 s (${describe(error)}): ${output().trim()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function stopChild(child: ChildProcess, dir: string | undefined): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return finish();
    const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(hard);
      finish();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

async function startContainer(): Promise<ProvidedRedis> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7.4-alpine').withStartupTimeout(60_000).start();
  const url = container.getConnectionUrl();
  const version = await probe(url);
  return { url, source: 'docker', version, stop: once(async () => void (await container.stop())) };
}

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

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

/** The address without its password, to print. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

export function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message.split('\n')[0] ?? error.name;
  return String(error);
}
