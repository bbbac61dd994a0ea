/**
 * Finds a Redis server for a run of the workshop, in this order:
 *   1. `REDIS_URL`, when set (a classroom server, or one you run yourself);
 *   2. a local `redis-server` binary, started on a free loopback port with no persistence;
 *   3. Docker, through testcontainers;
 * and otherwise fails with one message that names all three ways.
 *
 * 2 and 3 are startRedis() (./start.ts), the one way the workshop starts a Redis: a server it
 * starts is stopped by `stop()`, and also when the process that started it dies in any way.
 */
import { describe, NoRedisError, RedisUnavailableError, safeUrl } from './errors.ts';
import { probe, versionAtLeast } from './probe.ts';
import { startRedis } from './start.ts';

export { describe, NoRedisError, RedisUnavailableError, safeUrl } from './errors.ts';
export { binaryVersion, findRedisServer, freePort, probe, serverInfo, versionAtLeast } from './probe.ts';
export { startRedisServer, type LocalRedis, type LocalRedisOptions, type StartedRedis } from './redis-server.ts';
export type { RedisOptions } from './settings.ts';
export { startRedis, type StartRedisOptions } from './start.ts';

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

export const HOW_TO_GET_REDIS = [
  'The workshop needs a Redis server, and found none. Any one of these will do:',
  '  1. Install Redis so that `redis-server` is on your PATH, and the workshop starts and stops it for you:',
  '       Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis',
  '  2. Start Docker (Docker Desktop, colima or dockerd): the workshop then runs Redis in a container.',
  '  3. Point the workshop at a server you already have:  REDIS_URL=redis://host:6379 npm start',
].join('\n');

export function tooOldMessage(version: string, min: string, where: string): string {
  return [
    `Redis ${version} (${where}) is too old for these lessons: they need Redis ${min} or newer`,
    '(blocking pops with fractional timeouts, CLIENT UNBLOCK, BLMOVE).',
    'Install a newer redis-server, start Docker instead, or set REDIS_URL to a newer server.',
  ].join('\n');
}

export async function provideRedis(options: ProvideOptions = {}): Promise<ProvidedRedis> {
  const env = options.env ?? process.env;
  const min = options.minVersion ?? '0';

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

  let redis;
  try {
    redis = await startRedis({ env, docker: options.docker });
  } catch (error) {
    if (!(error instanceof NoRedisError)) throw error;
    const reasons = ['no `redis-server` on your PATH', ...(error.dockerOff ? [] : [`Docker did not work (${describe(error.dockerError)})`])];
    throw new RedisUnavailableError(`${HOW_TO_GET_REDIS}\n(Tried: ${reasons.join('; ')}; REDIS_URL is not set.)`, { cause: error });
  }
  if (!versionAtLeast(redis.version, min)) {
    await redis.stop();
    throw new RedisUnavailableError(tooOldMessage(redis.version, min, redis.source === 'docker' ? 'Docker' : 'redis-server'));
  }
  return redis;
}
