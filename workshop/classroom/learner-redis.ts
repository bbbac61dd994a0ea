/**
 * One Redis server per learner, started the first time the learner's workshop asks for it and
 * stopped when the class ends (or when the classroom process dies in any way: each server runs
 * under provision's guard, which ends it once its parent is gone).
 *
 * Why not one shared server with ACL users: ACLs confine keys and channels, but lesson 05 needs
 * CLIENT LIST and CLIENT UNBLOCK, and the checks' trace needs MONITOR, and those reach every client
 * of a server. A server each, with its own password, shares nothing.
 *
 * The learner owns their server, so it is hardened for the instructor's machine, not against the
 * learner (startRedis's `restricted`): no CONFIG change of where files go, no DEBUG, no MODULE LOAD,
 * and a memory ceiling so a runaway loop of RPUSH fills 128 MB, not the laptop. A learner who
 * changes its password or its save points cannot keep it alive either: stop() cannot be refused.
 */
import { describe, NoRedisError, probe, RedisUnavailableError, startRedis } from '../provision/provision.ts';
import type { Learner } from './state.ts';

export interface LearnerServer {
  port: number;
  password: string;
  stop(): Promise<void>;
}

export interface LearnerRedisOptions {
  /** Where learners' servers listen. @default '0.0.0.0' */
  bind?: string;
  /** The most servers at once. @default 200 */
  max?: number;
  env?: NodeJS.ProcessEnv;
}

const MAX_MEMORY = '128mb';

export class LearnerServers {
  readonly #servers = new Map<string, Promise<LearnerServer>>();
  readonly #bind: string;
  readonly #max: number;
  readonly #env: NodeJS.ProcessEnv;
  #closed = false;

  constructor(options: LearnerRedisOptions = {}) {
    this.#bind = options.bind ?? '0.0.0.0';
    this.#max = options.max ?? 200;
    this.#env = options.env ?? process.env;
  }

  get size(): number {
    return this.#servers.size;
  }

  /** The learner's server, started now if it is not running (or stopped answering). */
  async serverFor(learner: Learner): Promise<LearnerServer> {
    if (this.#closed) throw new RedisUnavailableError('The class has ended.');
    const running = this.#servers.get(learner.id);
    if (running) {
      const server = await running.catch(() => undefined);
      if (server && (await answers(server))) return server;
      this.#servers.delete(learner.id);
      await server?.stop();
    }
    if (this.#servers.size >= this.#max) throw new RedisUnavailableError(`The classroom runs ${this.#max} servers already, its limit (--max-learners).`);
    const starting = this.#start(learner);
    this.#servers.set(learner.id, starting);
    starting.catch(() => this.#servers.delete(learner.id));
    return starting;
  }

  /** Stops every learner's server. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(all.map(async (starting) => (await starting.catch(() => undefined))?.stop()));
  }

  async #start(learner: Learner): Promise<LearnerServer> {
    try {
      const server = await startRedis({
        env: this.#env,
        bind: this.#bind,
        port: learner.port,
        password: learner.redisPassword,
        maxMemory: MAX_MEMORY,
        restricted: true,
      });
      return { port: server.port, password: learner.redisPassword, stop: server.stop };
    } catch (error) {
      if (!(error instanceof NoRedisError)) throw error;
      if (error.dockerOff) throw new RedisUnavailableError('No `redis-server` on the classroom machine\'s PATH, and Docker is turned off (WORKSHOP_DOCKER=0).', { cause: error });
      throw new RedisUnavailableError(
        `The classroom could not start a Redis for ${learner.name}: no \`redis-server\` on its PATH, and Docker did not work (${describe(error.dockerError)}).`,
        { cause: error },
      );
    }
  }
}

async function answers(server: LearnerServer): Promise<boolean> {
  try {
    await probe(`redis://:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}`, 500);
    return true;
  } catch {
    return false;
  }
}
