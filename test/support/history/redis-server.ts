/**
 * The history check's own redis-server: on a fixed port in a folder of its own, with the append-only
 * file on and fsynced before every reply (`appendfsync always`), so that whatever Redis acknowledged
 * survives a crash. restart() kills it outright (SIGKILL: a crash, not a shutdown) and starts it
 * again at the same address from the same file. Guarded as the workshop's own server is
 * (workshop/provision/provision.ts): it dies with the process that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, freePort, GUARD, waitUntilUp } from '../../../workshop/provision/provision.ts';

export interface PrivateRedis {
  url: string;
  port: number;
  /** Its folder: the append-only file is there, a history of every write in order. */
  dir: string;
  /** Kills the server and, `downMs` later, starts it again from its append-only file; resolves once it answers. */
  restart(downMs?: number): Promise<void>;
  /** Stops it and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error('The history check needs `redis-server` on the PATH (it restarts its own server mid-run, which a REDIS_URL or Docker server cannot)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'workshop-history-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
    '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', '--logfile', '',
  ];
  let child: ChildProcess | undefined;
  const start = async () => {
    const guard = spawn('sh', ['-c', GUARD, 'redis-guard', binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    child = guard;
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
    guard.stdout.on('data', collect);
    guard.stderr.on('data', collect);
    await waitUntilUp(url, guard, () => output);
  };
  const kill = () =>
    new Promise<void>((resolve) => {
      const guard = child;
      child = undefined;
      if (!guard || guard.exitCode !== null || guard.signalCode !== null) return resolve();
      guard.once('exit', () => resolve());
      // The guard answers SIGTERM with SIGKILL to redis-server, and exits once it is gone.
      guard.kill('SIGTERM');
    });
  let stopped: Promise<void> | undefined;
  await start();
  return {
    url,
    port,
    dir,
    async restart(downMs = 0) {
      await kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    stop: () =>
      (stopped ??= kill().then(() => rmSync(dir, { recursive: true, force: true }))),
  };
}
