/**
 * A Redis in a Docker container, through testcontainers, for a machine without `redis-server`.
 * The same settings as a local server (./settings.ts), all in a configuration file copied into the
 * container, so the password is on no command line (`ps` on the host shows a container's). The
 * container dies with the process that started it: testcontainers' reaper (Ryuk) removes it.
 * Docker publishes the port on every address of the host, whatever `bind` says; `restart` and the
 * guard are a local server's only.
 */
import { probe } from './probe.ts';
import type { StartedRedis } from './redis-server.ts';
import { checkOptions, configLine, DEFAULT_GRACE_MS, settings, type RedisOptions } from './settings.ts';
import { shutdownNosave } from './stop.ts';

export const REDIS_IMAGE = 'redis:7.4-alpine';
const CONFIG = '/usr/local/etc/redis/workshop.conf';

/** Starts a container and waits until it answers. Throws testcontainers' error when Docker is not there. */
export async function startRedisContainer(options: RedisOptions = {}): Promise<StartedRedis> {
  checkOptions(options);
  const { GenericContainer, Wait } = await import('testcontainers');
  const lines = [...settings(options), ['dir', '/data'], ...(options.password ? [['requirepass', options.password]] : [])];
  const make = (hostPort?: number) => {
    const container = new GenericContainer(REDIS_IMAGE)
      .withCommand(['redis-server', CONFIG])
      // Readable inside the container, where Redis runs as its own user; only root on the host sees the container's files.
      .withCopyContentToContainer([{ content: `${lines.map(([name, value]) => configLine(name!, value!)).join('\n')}\n`, target: CONFIG, mode: 0o644 }])
      .withExposedPorts(hostPort ? { container: 6379, host: hostPort } : 6379)
      .withWaitStrategy(Wait.forListeningPorts())
      .withStartupTimeout(60_000);
    return options.dataDir ? container.withBindMounts([{ source: options.dataDir, target: '/data', mode: 'rw' }]) : container;
  };
  let started;
  try {
    started = await make(options.port).start();
  } catch (error) {
    // A taken port: try a free one, unless the caller needs this one. Without Docker, both fail alike.
    if (!options.port || options.requirePort) throw error;
    started = await make().start();
  }
  const host = started.getHost();
  const port = started.getMappedPort(6379);
  const url = `redis://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}${host}:${port}`;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // SHUTDOWN NOSAVE first, as for a local server; docker stop then sends SIGTERM and, after the grace period, SIGKILL.
      await shutdownNosave(url, graceMs);
      await started.stop({ timeout: graceMs });
    })());
  try {
    return { url, host, port, source: 'docker', version: await probe(url, 10_000), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
