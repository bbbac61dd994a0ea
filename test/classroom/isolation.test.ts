/**
 * Isolation: with learner A's credentials, nothing of learner B's can be read, written, listed,
 * unblocked, killed, subscribed to or watched; and every learner's Redis stops with the class,
 * also when the classroom's process is killed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { probe } from '../../workshop/provision/provision.ts';
import { joinAs, openClass, redisOf, type TestClassroom, type TestLearner } from './support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const open: Redis[] = [];

function connect(url: string, name: string): Redis {
  const client = new Redis(url, { connectionName: name, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  client.on('error', () => {});
  open.push(client);
  return client;
}

async function refused(url: string): Promise<boolean> {
  return probe(url, 500).then(
    () => false,
    () => true,
  );
}

/** Waits for a state, not for a time: polls until `test` holds or five seconds pass. */
async function until(test: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`still not true after 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The class's state server, found by its data folder on its guard's command line (redis-server
 * rewrites its own to `redis-server host:port`), with its process id, which a test that fails
 * ends itself: nothing is left running.
 */
async function stateServer(dataDir: string): Promise<{ url: string; pid: number }> {
  const guard = spawnSync('pgrep', ['-af', `redis-guard .* --dir ${dataDir}( |$)`], { encoding: 'utf8' }).stdout;
  const port = /--port (\d+)/.exec(guard)?.[1];
  if (!port) throw new Error(`no redis-server was started with --dir ${dataDir}`);
  const url = `redis://127.0.0.1:${port}`;
  const client = connect(url, 'state-lookup');
  const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))![1]);
  client.disconnect();
  onTestFinished(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  });
  return { url, pid };
}

describe('two learners in one class', () => {
  let classroom: TestClassroom;
  let ada: TestLearner;
  let bo: TestLearner;
  let adaUrl: string;
  let boUrl: string;
  let a: Redis;
  let b: Redis;

  beforeAll(async () => {
    classroom = await openClass();
    ada = await joinAs(classroom, 'Ada');
    bo = await joinAs(classroom, 'Bo');
    [adaUrl, boUrl] = [await redisOf(classroom, ada), await redisOf(classroom, bo)];
    a = connect(adaUrl, 'ada-main');
    b = connect(boUrl, 'bo-main');
    await Promise.all([a.connect(), b.connect()]);
    await b.set('bo:secret', 'hunter2');
  });

  afterAll(async () => {
    for (const client of open) client.disconnect();
    await classroom.end();
  });

  it('gives each learner a server of their own, with a password of its own', async () => {
    expect(new URL(adaUrl).port).not.toBe(new URL(boUrl).port);
    expect(new URL(adaUrl).password).not.toBe(new URL(boUrl).password);
    // The same learner asking again gets the same server.
    expect(await redisOf(classroom, ada)).toBe(adaUrl);
    const adasPasswordOnBosServer = new URL(boUrl);
    adasPasswordOnBosServer.password = new URL(adaUrl).password;
    await expect(probe(adasPasswordOnBosServer.href, 1000)).rejects.toThrow(/WRONGPASS|invalid password/i);
    const noPassword = new URL(boUrl);
    noPassword.password = '';
    await expect(probe(noPassword.href, 1000)).rejects.toThrow(/NOAUTH/);
  });

  it('keeps keys apart: A reads, scans and flushes only its own', async () => {
    expect(await a.get('bo:secret')).toBeNull();
    expect(await a.keys('*')).toEqual([]);
    await a.set('ada:note', 'mine');
    await a.flushall();
    expect(await b.get('bo:secret')).toBe('hunter2');
  });

  it('keeps clients apart: A lists, unblocks and kills only its own', async () => {
    const blocked = connect(boUrl, 'bo-dryer');
    const waiting = blocked.blpop('bo:dishes', 0);
    const boDryerId = async () => /id=(\d+) [^\n]*name=bo-dryer [^\n]*cmd=blpop/.exec(await b.client('LIST') as string)?.[1];
    await until(async () => (await boDryerId()) !== undefined, "Bo's dryer is blocked in BLPOP");
    const id = (await boDryerId())!;
    expect(await a.client('LIST')).not.toMatch(/bo-/);
    expect(await a.call('CLIENT', 'UNBLOCK', id)).toBe(0);
    expect(await a.call('CLIENT', 'KILL', 'ID', id)).toBe(0);
    const address = /addr=(\S+) [^\n]*name=bo-dryer/.exec((await b.client('LIST')) as string)![1]!;
    await expect(a.call('CLIENT', 'KILL', address)).rejects.toThrow(/No such client/);
    expect(await boDryerId()).toBe(id);
    await b.rpush('bo:dishes', 'plate');
    expect(await waiting).toEqual(['bo:dishes', 'plate']);
  });

  it('keeps channels and MONITOR apart: A hears nothing of what B publishes or runs', async () => {
    const listener = connect(adaUrl, 'ada-listener');
    const monitor = await connect(adaUrl, 'ada-monitor').monitor();
    const heard: string[] = [];
    listener.on('pmessage', (_pattern: string, channel: string) => heard.push(channel));
    monitor.on('monitor', (_time: string, args: string[]) => heard.push(args.join(' ')));
    await listener.psubscribe('*');
    expect(await b.publish('bo:status', 'ready')).toBe(0);
    await b.set('bo:other', 'x');
    // A command of A's own, after B's: when A's monitor has seen it, it would have seen B's too.
    await a.publish('ada:status', 'ready');
    await until(async () => heard.includes('ada:status'), "A's own message reached A");
    expect(heard.filter((entry) => entry.includes('bo:'))).toEqual([]);
    monitor.disconnect();
  });

  it("keeps settings apart, and refuses to move a server's files", async () => {
    await a.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect(await b.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    await expect(a.config('SET', 'dir', '/tmp')).rejects.toThrow(/protected/);
    await expect(a.config('SET', 'dbfilename', 'x.rdb')).rejects.toThrow(/protected/);
    await expect(a.call('MODULE', 'LOAD', '/tmp/x.so')).rejects.toThrow();
  });
});

describe('the end of a class', () => {
  it("stops every learner's Redis when the class is closed", async () => {
    const classroom = await openClass();
    const urls = [await redisOf(classroom, await joinAs(classroom, 'Ada')), await redisOf(classroom, await joinAs(classroom, 'Bo'))];
    for (const url of urls) expect(await refused(url)).toBe(false);
    await classroom.end();
    for (const url of urls) expect(await refused(url)).toBe(true);
  });

  it("stops the class's state server even when its data folder was deleted and made again under it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'workshop-classroom-'));
    try {
      const classroom = await openClass({ dataDir });
      const url = await redisOf(classroom, await joinAs(classroom, 'Ada'));
      const state = await stateServer(dataDir);
      // As observed: a Redis whose save fails ignores SIGTERM, and outlived its class.
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir);
      await classroom.close();
      expect(await refused(url)).toBe(true);
      expect(await refused(state.url), `the class's state server (pid ${state.pid}) outlived its class`).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("stops every learner's Redis, and the state's, when the classroom's process is killed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'workshop-classroom-'));
    const child = spawn(process.execPath, ['workshop/launch.mjs', 'classroom', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await until(async () => /Your board/.test(out), `the classroom printed its addresses (so far: ${out})`);
      const joinAddress = /join (http:\S+)/.exec(out)![1]!;
      const server = new URL(joinAddress).origin;
      const room = { url: server, code: new URL(joinAddress).pathname.slice(1) } as TestClassroom;
      const url = await redisOf(room, await joinAs(room, 'Ada'));
      const state = await stateServer(dataDir);
      expect(await refused(url)).toBe(false);
      child.kill('SIGKILL');
      await until(() => refused(url), "Ada's Redis stopped after the classroom was killed");
      await until(() => refused(state.url), "the class's state server stopped after the classroom was killed");
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
