/**
 * A local `redis-server`, started under the guard (./guard.ts) so that it dies with the process
 * that started it, stopped by a stop that cannot be refused (./stop.ts), and restarted on the same
 * port from the same folder: the history check of lesson 06 crashes its server mid-run that way.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, NoRedisError, RedisUnavailableError } from './errors.ts';
import { hasExited, spawnGuarded, waitUntilUp, type Guarded } from './guard.ts';
import { binaryVersion, findRedisServer, freePort, versionAtLeast } from './probe.ts';
import { checkOptions, configLine, DEFAULT_GRACE_MS, RESTRICTED_MIN_VERSION, settings, type RedisOptions } from './settings.ts';
import { stopServer, type EndedBy } from './stop.ts';

export interface StartedRedis {
  /** `redis://[:password@]host:port`. */
  url: string;
  host: string;
  port: number;
  source: 'redis-server' | 'docker';
  version: string;
  /** Ends the server whatever state it is in (see ./stop.ts); removes a temporary folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalRedis extends StartedRedis {
  source: 'redis-server';
  /** The server's folder: with `persist`, its append-only file is there. */
  dir: string;
  /** The running server's process id (it changes with restart()). */
  readonly pid: number;
  /** How the last stop (or restart) ended the server, for a closer look. */
  readonly endedBy: EndedBy | undefined;
  /** The server's last lines of output: its log, at level warning. */
  output(): string;
  /**
   * Ends the server and, `downMs` later, starts it again on the same port from the same folder;
   * resolves once it answers. `crash: true` kills it outright (SIGKILL) instead of stopping it.
   * @example await redis.restart({ crash: true }) // what survives is what the append-only file kept
   */
  restart(options?: { crash?: boolean; downMs?: number }): Promise<void>;
}

export interface LocalRedisOptions extends RedisOptions {
  /** Where to look for `redis-server` (`WORKSHOP_REDIS_SERVER`, `PATH`). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The binary to run. @default findRedisServer(env) */
  binary?: string;
}

const ATTEMPTS = 3;

/** Starts a local `redis-server` and waits until it answers. */
export async function startRedisServer(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  checkOptions(options);
  const binary = options.binary ?? findRedisServer(options.env);
  if (!binary) throw new NoRedisError('not tried');
  if (options.restricted) {
    const version = binaryVersion(binary);
    if (!versionAtLeast(version, RESTRICTED_MIN_VERSION)) {
      throw new RedisUnavailableError(`${binary} is Redis ${version}; a learner's server needs Redis ${RESTRICTED_MIN_VERSION} or newer, which refuses CONFIG SET of where files go, DEBUG and MODULE. Install a newer redis-server.`);
    }
  }
  const bind = options.bind ?? '127.0.0.1';
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const ownDir = !options.dataDir;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'workshop-redis-'));
  mkdirSync(dir, { recursive: true });
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';

  const launch = async (port: number): Promise<{ guarded: Guarded; pid: number; version: string }> => {
    const guarded = spawnGuarded(binary, argsFor(options, dir, bind, port), graceMs);
    try {
      const info = await waitUntilUp(`redis://${auth}${host}:${port}`, guarded);
      return { guarded, ...info };
    } catch (error) {
      guarded.child.stdin.end();
      guarded.child.kill('SIGTERM');
      await guarded.exited;
      throw error;
    }
  };

  let running: Awaited<ReturnType<typeof launch>> | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS && !running; attempt++) {
    port = attempt === 0 && options.port ? options.port : await freePort(bind);
    try {
      running = await launch(port);
    } catch (error) {
      lastError = error;
      if (options.requirePort) break;
    }
  }
  if (!running) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    const where = options.requirePort ? ` on port ${options.port}` : '';
    throw new RedisUnavailableError(`redis-server (${binary}) did not start${where}: ${describe(lastError)}`, { cause: lastError });
  }

  const url = `redis://${auth}${host}:${port}`;
  let current = running;
  let endedBy: EndedBy | undefined;
  let stopping: Promise<void> | undefined;
  const end = async (crash: boolean) => {
    const { guarded, pid } = current;
    const signal = (name: 'SIGTERM' | 'SIGKILL') => {
      try {
        if (!hasExited(guarded)) process.kill(pid, name);
      } catch {
        // gone meanwhile
      }
    };
    if (crash) {
      signal('SIGKILL');
      await guarded.exited;
      endedBy = 'SIGKILL';
    } else {
      endedBy = await stopServer({ url, exited: guarded.exited, isGone: () => hasExited(guarded), signal, graceMs });
    }
    guarded.child.stdin.end();
  };
  return {
    url,
    host,
    port,
    source: 'redis-server',
    version: running.version,
    dir,
    get pid() {
      return current.pid;
    },
    get endedBy() {
      return endedBy;
    },
    output: () => current.guarded.output(),
    async restart({ crash = false, downMs = 0 } = {}) {
      if (stopping) throw new Error('restart() after stop(): this server has been stopped for good');
      await end(crash);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      current = await launch(port);
    },
    stop: () =>
      (stopping ??= (async () => {
        await end(false);
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

/** The command line: everything but the password, which goes in a file only this user can read. */
function argsFor(options: RedisOptions, dir: string, bind: string, port: number): string[] {
  const config: string[] = [];
  if (options.password) {
    const file = join(dir, 'password.conf');
    writeFileSync(file, `${configLine('requirepass', options.password)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600); // a file left by an earlier run keeps its mode otherwise
    config.push(file);
  }
  const named = settings(options).flatMap(([name, value]) => [`--${name}`, value]);
  return [...config, '--port', String(port), '--bind', bind, '--dir', dir, ...named];
}
