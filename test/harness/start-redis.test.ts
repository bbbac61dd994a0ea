/**
 * The one way the workshop starts a Redis (workshop/provision/): the options the lessons, the
 * classroom and the history check need, a stop that nothing can refuse, the guard that ends a server
 * whose owner died, and the fall-over to Docker when there is no redis-server and no Docker engine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort, NoRedisError, probe, startRedis, startRedisServer, type LocalRedis, type LocalRedisOptions } from '../../workshop/provision/provision.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const GRACE_MS = 500;
/** Room on real time for a loaded machine: a stop is late only past its grace periods and this. */
const MARGIN_MS = 1500;

async function started(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const redis = await startRedisServer({ graceMs: GRACE_MS, ...options });
  onTestFinished(() => redis.stop());
  return redis;
}

function connect(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  client.on('error', () => {});
  onTestFinished(() => client.disconnect());
  return client;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for a state, not for a time: polls until `test` holds or `ms` pass. */
async function until(test: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A PATH with node and sh on it but no redis-server. */
function pathWithoutRedis(): string {
  const dir = tempDir('workshop-path-');
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync('/bin/sh', join(dir, 'sh'));
  return dir;
}

describe('startRedisServer()', () => {
  it('keeps the password off every command line, in a file only its owner can read', async () => {
    const password = randomBytes(12).toString('hex');
    const redis = await started({ password });
    const commandLines = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(commandLines, 'ps shows every command line to every user of the machine').not.toContain(password);
    expect(statSync(join(redis.dir, 'password.conf')).mode & 0o777).toBe(0o600);
    await expect(probe(redis.url.replace(`:${password}@`, ''), 1000)).rejects.toThrow(/NOAUTH/);
    expect(await probe(redis.url)).toBe(redis.version);
  });

  it('persists with the append-only file alone: a write survives a crash and a restart on the same port', async () => {
    const redis = await started({ persist: true });
    const client = connect(redis.url);
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    await client.set('washed', '1');
    client.disconnect();

    const { pid, port } = redis;
    await redis.restart({ crash: true });
    expect(redis.endedBy).toBe('SIGKILL');
    expect(alive(pid), 'the crashed server is gone').toBe(false);
    expect([redis.port, redis.pid === pid]).toEqual([port, false]);
    expect(await connect(redis.url).get('washed'), 'the write fsynced before its reply survives the crash').toBe('1');

    await redis.restart();
    expect(redis.endedBy).toBe('SHUTDOWN NOSAVE');
    expect(await connect(redis.url).get('washed')).toBe('1');
  });

  it('keeps nothing on disk without persist, and removes its temporary folder when stopped', async () => {
    const redis = await started();
    const client = connect(redis.url);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    await client.set('washed', '1');
    client.disconnect();
    await redis.restart({ crash: true });
    expect(await connect(redis.url).get('washed')).toBeNull();
    await redis.stop();
    expect(existsSync(redis.dir), `${redis.dir} is left behind`).toBe(false);
  });

  it('keeps a data folder it was given, and starts from it again', async () => {
    const dataDir = tempDir('workshop-data-');
    const first = await started({ persist: true, dataDir });
    await connect(first.url).set('class', 'ABCD-EFGH');
    await first.stop();
    expect(existsSync(join(dataDir, 'appendonlydir'))).toBe(true);
    const second = await started({ persist: true, dataDir });
    expect(await connect(second.url).get('class')).toBe('ABCD-EFGH');
  });

  it('listens on the port asked for; moves to a free one when it is taken, unless requirePort', async () => {
    const wanted = await freePort();
    expect((await started({ port: wanted })).port).toBe(wanted);

    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void squatter.close());
    const taken = (squatter.address() as { port: number }).port;
    const moved = await started({ port: taken });
    expect(moved.port).not.toBe(taken);
    expect(await probe(moved.url)).toBe(moved.version);
    await expect(started({ port: taken, requirePort: true })).rejects.toThrow(new RegExp(`did not start on port ${taken}: .*Address already in use`, 's'));
  });

  it("applies maxmemory and a learner's restrictions: no protected CONFIG SET, no DEBUG, no MODULE", async () => {
    const client = connect((await started({ maxMemory: '16mb', restricted: true })).url);
    expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(16 * 1024 * 1024)]);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    await expect(client.config('SET', 'dir', '/tmp')).rejects.toThrow(/protected/);
    await expect(client.call('DEBUG', 'SLEEP', '0')).rejects.toThrow(/DEBUG command not allowed/);
    await expect(client.call('MODULE', 'LOAD', '/tmp/nothing.so')).rejects.toThrow(/MODULE command not allowed/);
  });

  it("refuses to run a learner's server on a Redis older than 7, before starting it", async () => {
    const dir = tempDir('workshop-old-redis-');
    const binary = join(dir, 'redis-server');
    writeFileSync(binary, '#!/bin/sh\necho "Redis server v=6.2.14 sha=00000000:0"\n');
    chmodSync(binary, 0o755);
    await expect(startRedisServer({ binary, restricted: true })).rejects.toThrow(/is Redis 6\.2\.14; a learner's server needs Redis 7\.0 or newer/);
  });

  it('names the argument it refuses, and the value', async () => {
    await expect(startRedisServer({ port: -1 })).rejects.toThrow(new TypeError('Expected `port` to be an integer from 1 to 65535, got `-1` (number)'));
    await expect(startRedisServer({ graceMs: Number.NaN })).rejects.toThrow(/Expected `graceMs` to be a finite number >= 0, got `NaN`/);
    await expect(startRedisServer({ password: 'two words' })).rejects.toThrow(/Expected `password` to be a non-empty string without spaces/);
  });
});

describe('stop()', () => {
  /** A persisted server whose folder is deleted under it, as a classroom's was; with `saves`, Redis's old default save points. */
  async function orphaned(saves: string): Promise<LocalRedis> {
    const redis = await started({ persist: true, password: 'secret', dataDir: tempDir('workshop-doomed-') });
    const client = connect(redis.url);
    await client.config('SET', 'save', saves);
    await client.set('washed', '1');
    client.disconnect();
    rmSync(redis.dir, { recursive: true, force: true });
    return redis;
  }

  async function timedStop(redis: LocalRedis): Promise<number> {
    const { pid } = redis;
    const t0 = performance.now();
    await redis.stop();
    const ms = performance.now() - t0;
    expect(alive(pid), `redis-server ${pid} outlived stop()`).toBe(false);
    await expect(probe(redis.url, 500)).rejects.toThrow(/ECONNREFUSED/);
    return ms;
  }

  it('ends a persisted server whose folder was deleted, within the grace period', async () => {
    const redis = await orphaned('');
    expect(await timedStop(redis)).toBeLessThan(GRACE_MS + MARGIN_MS);
    expect(redis.endedBy).toBe('SHUTDOWN NOSAVE');
  });

  it('ends a server that refuses SIGTERM, because a save point makes it save into a deleted folder', async () => {
    const redis = await orphaned('1 1');
    // The fault, reproduced: SIGTERM alone leaves it running.
    process.kill(redis.pid, 'SIGTERM');
    await until(() => /Errors trying to shut down the server/.test(redis.output()), 'redis-server logged that it refused to shut down');
    expect(await probe(redis.url), 'after refusing SIGTERM it still answers').toBe(redis.version);

    expect(await timedStop(redis)).toBeLessThan(GRACE_MS + MARGIN_MS);
    expect(redis.endedBy, 'SHUTDOWN NOSAVE does not save, so it cannot fail to').toBe('SHUTDOWN NOSAVE');
  });

  it('ends a server whose password was changed and whose save fails: SIGKILL, after the grace period', async () => {
    const redis = await orphaned('1 1');
    await connect(redis.url).call('CONFIG', 'SET', 'requirepass', 'changed-by-the-learner');
    expect(await timedStop(redis)).toBeLessThan(2 * GRACE_MS + MARGIN_MS);
    expect(redis.endedBy).toBe('SIGKILL');
  });

  it('ends a server frozen with SIGSTOP: SIGKILL, after the grace periods', async () => {
    const redis = await started();
    process.kill(redis.pid, 'SIGSTOP');
    expect(await timedStop(redis)).toBeLessThan(2 * GRACE_MS + MARGIN_MS);
    expect(redis.endedBy).toBe('SIGKILL');
  });
});

describe('the guard', () => {
  it('ends the server of a process that was killed, even one that refuses SIGTERM (SIGKILL after the grace period)', async () => {
    const dataDir = tempDir('workshop-owner-');
    const script = [
      "import { startRedisServer } from './workshop/provision/provision.ts';",
      `const redis = await startRedisServer({ persist: true, dataDir: ${JSON.stringify(dataDir)}, graceMs: ${GRACE_MS} });`,
      'console.log(JSON.stringify({ url: redis.url, pid: redis.pid }));',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void owner.kill('SIGKILL'));
    let output = '';
    owner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('\n'), 'the owner printed its server', 10_000);
    const { url, pid } = JSON.parse(output) as { url: string; pid: number };
    onTestFinished(() => void (alive(pid) && process.kill(pid, 'SIGKILL')));
    const client = connect(url);
    await client.config('SET', 'save', '1 1');
    await client.set('washed', '1');
    client.disconnect();
    rmSync(dataDir, { recursive: true, force: true });

    owner.kill('SIGKILL');
    const t0 = performance.now();
    await until(() => !alive(pid), `redis-server ${pid} outlived the process that started it`);
    expect(performance.now() - t0).toBeLessThan(GRACE_MS + MARGIN_MS);
  });
});

describe('startRedis() on a machine without redis-server', () => {
  const dockerRuns = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

  it('does not try Docker when WORKSHOP_DOCKER=0, and says so', async () => {
    const attempt = startRedis({ env: { PATH: pathWithoutRedis(), WORKSHOP_DOCKER: '0' } });
    await expect(attempt).rejects.toBeInstanceOf(NoRedisError);
    await expect(attempt).rejects.toThrow(/no `redis-server` on the PATH, and Docker is turned off/);
  });

  it.skipIf(dockerRuns)('tries Docker, and when no engine answers says so, and leaves nothing running', { timeout: 30_000 }, async () => {
    const script = [
      "import { startRedis } from './workshop/provision/provision.ts';",
      'try {',
      '  await startRedis();',
      "  console.log(JSON.stringify({ started: true }));",
      '} catch (error) {',
      '  console.log(JSON.stringify({ name: error.name, message: error.message, dockerOff: error.dockerOff }));',
      '}',
    ].join('\n');
    const env = { PATH: pathWithoutRedis(), HOME: tempDir('workshop-home-'), DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => void child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Exiting of its own accord is the proof that nothing was left holding it: no socket, timer or child.
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);
    const answer = JSON.parse(output) as { name: string; message: string; dockerOff: boolean };
    expect(answer.name).toBe('NoRedisError');
    expect(answer.dockerOff).toBe(false);
    expect(answer.message).toMatch(/no `redis-server` on the PATH, and Docker did not work \(.+\)\./);
    expect(answer.message).toMatch(/Install Redis .* or start Docker/);
  });
});
