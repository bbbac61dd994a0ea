import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOW_TO_GET_REDIS, probe, provideRedis, RedisUnavailableError, versionAtLeast } from '../../workshop/provision/provision.ts';

/** Resolves once nothing answers at `url` any more: the server is gone. */
async function gone(url: string, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await probe(url, 200);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** A PATH with node and sh on it but no redis-server. */
function pathWithoutRedis(): string {
  const dir = mkdtempSync(join(tmpdir(), 'workshop-path-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync('/bin/sh', join(dir, 'sh'));
  return dir;
}

describe('versionAtLeast()', () => {
  it.each([
    ['7.0.15', '6.2', true],
    ['6.2.0', '6.2', true],
    ['6.0.16', '6.2', false],
    ['10.0.0', '6.2', true],
    ['5.0.7', '6.0', false],
  ])('%s is at least %s: %s', (version, min, expected) => {
    expect(versionAtLeast(version, min)).toBe(expected);
  });
});

describe('provideRedis()', () => {
  it('starts a private redis-server on a free port and stops it', async () => {
    const redis = await provideRedis({ env: { PATH: process.env.PATH }, docker: false });
    expect(redis.source).toBe('redis-server');
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await probe(redis.url)).toBe(redis.version);
    await redis.stop();
    await redis.stop();
    expect(await gone(redis.url), 'the server still answers after stop()').toBe(true);
  });

  it('stops its server when the process that started it is killed', async () => {
    const script = [
      "import { provideRedis } from './workshop/provision/provision.ts';",
      'const redis = await provideRedis({ docker: false });',
      'console.log(redis.url);',
      "process.kill(process.pid, 'SIGKILL');",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const url = output.trim();
    expect(url).toMatch(/^redis:\/\//);
    expect(await gone(url), `redis-server at ${url} outlived the process that started it`).toBe(true);
  });

  it('uses REDIS_URL when it is set, and leaves that server running', async () => {
    const own = await provideRedis({ docker: false });
    try {
      const redis = await provideRedis({ env: { REDIS_URL: own.url }, docker: false });
      expect(redis.source).toBe('REDIS_URL');
      expect(redis.url).toBe(own.url);
      await redis.stop();
      expect(await probe(own.url)).toBe(own.version);
    } finally {
      await own.stop();
    }
  });

  it('says which REDIS_URL did not answer, instead of looking elsewhere', async () => {
    const attempt = provideRedis({ env: { REDIS_URL: 'redis://127.0.0.1:1', PATH: process.env.PATH }, docker: false });
    await expect(attempt).rejects.toThrow(/REDIS_URL is redis:\/\/127\.0\.0\.1:1, but no Redis answered there \(ECONNREFUSED\)/);
  });

  it('names every way to get Redis when there is none', async () => {
    const attempt = provideRedis({ env: { PATH: pathWithoutRedis() }, docker: false });
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(HOW_TO_GET_REDIS);
    await expect(attempt).rejects.toThrow(/no `redis-server` on your PATH/);
  });

  it('refuses a server older than the lessons need, and stops it', async () => {
    const attempt = provideRedis({ env: { PATH: process.env.PATH }, docker: false, minVersion: '99.0' });
    await expect(attempt).rejects.toThrow(/is too old for these lessons: they need Redis 99\.0 or newer/);
  });
});
