/**
 * The one way the workshop starts a Redis: a local `redis-server` when there is one, else a Docker
 * container. The lessons' provisioning (./provision.ts), the classroom (a server per learner, one
 * for the class's state) and the history check of lesson 06 all start theirs here.
 */
import { startRedisContainer } from './container.ts';
import { NoRedisError } from './errors.ts';
import { findRedisServer } from './probe.ts';
import { checkOptions } from './settings.ts';
import { startRedisServer, type LocalRedisOptions, type StartedRedis } from './redis-server.ts';

export interface StartRedisOptions extends LocalRedisOptions {
  /** Try Docker when there is no `redis-server`. @default true, unless WORKSHOP_DOCKER=0 in `env` */
  docker?: boolean;
}

/**
 * Starts a Redis, local or in Docker, and waits until it answers.
 * @throws NoRedisError when neither way is there; RedisUnavailableError when a server would not start.
 * @example
 * const redis = await startRedis({ password: newSecret(), maxMemory: '128mb', restricted: true });
 * // … redis.url …
 * await redis.stop();
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<StartedRedis> {
  checkOptions(options);
  const env = options.env ?? process.env;
  const binary = options.binary ?? findRedisServer(env);
  if (binary) return startRedisServer({ ...options, binary });
  if (!(options.docker ?? env.WORKSHOP_DOCKER !== '0')) throw new NoRedisError('off');
  try {
    return await startRedisContainer(options);
  } catch (error) {
    throw new NoRedisError({ error });
  }
}
