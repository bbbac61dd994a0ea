/**
 * The classroom server: learners join it, get a Redis of their own from it, and send it every
 * result; the instructor watches the board it serves. `startClassroom()` is what `npm run
 * classroom` runs, and what the tests and the bench start on a free port.
 *
 * The class's state lives in a Redis of the server's own, with an append-only file under the
 * data folder (`.workshop/classroom/` by default), so a restart brings the same code, token,
 * learners and board back. Every learner's Redis, and the state's own unless it was given with
 * `stateRedisUrl`, stops with the server, or with its process however that ends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { NoRedisError, probe, RedisUnavailableError, startRedis, type ProvidedRedis } from '../provision/provision.ts';
import { ROOT } from '../target.ts';
import { Routes } from './routes.ts';
import { LearnerServers } from './learner-redis.ts';
import { ClassState } from './state.ts';

export interface ClassroomOptions {
  /** @default 4800; 0 for any free port */
  port?: number;
  /** The address the server and learners' Redis servers listen on. @default '0.0.0.0' */
  host?: string;
  /** Where the class's state is kept. @default `.workshop/classroom` in the project */
  dataDir?: string;
  /** A Redis to keep the class's state in, instead of one the classroom starts. */
  stateRedisUrl?: string;
  /** The most learners' servers at once. @default 200 */
  maxLearners?: number;
  env?: NodeJS.ProcessEnv;
}

export interface Classroom {
  /** The server's own address, such as `http://192.168.1.20:4800`. */
  url: string;
  port: number;
  code: string;
  token: string;
  /** What learners type after `npm start -- join`. */
  joinAddress: string;
  boardAddress: string;
  /** Ends the board's streams, stops every learner's Redis and the state's own. Safe to call twice. */
  close(): Promise<void>;
}

export async function startClassroom(options: ClassroomOptions = {}): Promise<Classroom> {
  const env = options.env ?? process.env;
  const host = options.host ?? '0.0.0.0';
  const stateServer = await stateRedis(options, env);
  const redis = new Redis(stateServer.url, { maxRetriesPerRequest: 3, lazyConnect: true });
  redis.on('error', () => {}); // commands report their own failures; a restart of the state server is retried
  const learners = new LearnerServers({ bind: host, max: options.maxLearners, env });
  let server: Server | undefined;
  try {
    await redis.connect();
    const state = new ClassState(redis);
    const loaded = await state.load();
    const routes = new Routes({ state, loaded, learners });
    server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 10_000, headersTimeout: 5_000 }, (request: IncomingMessage, response: ServerResponse) => {
      routes.handle(request, response);
    });
    server.keepAliveTimeout = 5_000;
    const port = await listen(server, options.port ?? 4800, host);
    const url = `http://${publicHost(host)}:${port}`;
    const classroomServer = server;
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      code: loaded.info.code,
      token: loaded.info.token,
      joinAddress: `${url}/${loaded.info.code}`,
      boardAddress: `${url}/board?token=${loaded.info.token}`,
      close: () =>
        (closing ??= (async () => {
          routes.close();
          classroomServer.closeAllConnections();
          await new Promise<void>((resolve) => classroomServer.close(() => resolve()));
          await learners.close();
          redis.disconnect();
          await stateServer.stop();
        })()),
    };
  } catch (error) {
    server?.close();
    await learners.close();
    redis.disconnect();
    await stateServer.stop();
    throw error;
  }
}

/** The class's own Redis: the one given, else one keeping an append-only file (a local redis-server, else Docker). */
async function stateRedis(options: ClassroomOptions, env: NodeJS.ProcessEnv): Promise<ProvidedRedis> {
  if (options.stateRedisUrl) {
    const version = await probe(options.stateRedisUrl).catch((error: unknown) => {
      throw new RedisUnavailableError(`No Redis answered at ${options.stateRedisUrl} (--state-redis): ${(error as Error).message}`);
    });
    return { url: options.stateRedisUrl, source: 'REDIS_URL', version, stop: async () => {} };
  }
  const dir = options.dataDir ?? join(ROOT, '.workshop', 'classroom');
  mkdirSync(dir, { recursive: true });
  try {
    // Every write fsynced to the append-only file, and no RDB save points: see ../provision/stop.ts.
    return await startRedis({ env, dataDir: dir, persist: true });
  } catch (error) {
    throw error instanceof NoRedisError ? noRedis(error) : error;
  }
}

function noRedis(cause?: unknown): RedisUnavailableError {
  return new RedisUnavailableError(
    [
      'The classroom needs `redis-server` on this machine (it starts one for the class and one per learner), and found none.',
      '  Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis',
      '  or start Docker (Docker Desktop, colima or dockerd), and run npm run classroom again.',
    ].join('\n'),
    { cause },
  );
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is taken; choose another with --port.`) : error),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** The address learners on other machines reach: the first outward IPv4 when listening on all of them. */
export function publicHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  for (const addresses of Object.values(networkInterfaces())) {
    const outward = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (outward) return outward.address;
  }
  return '127.0.0.1';
}
