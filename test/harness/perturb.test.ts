import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../workshop/target.ts';
import { startLatencyProxy } from '../../workshop/perturb/latency.ts';
import { planFor, random, SCHEDULE_VARIABLE, seedFromEnv, streamOf, withSchedule } from '../../workshop/perturb/schedule.ts';
import { parseArgs } from '../../workshop/runner/verify.ts';
import { formatReport } from '../../workshop/checks/report.ts';
import { select } from '../../workshop/manifest.ts';
import type { RunResult } from '../../workshop/checks/check-result.ts';

describe('seeded schedules', () => {
  const dir = join(ROOT, '.workshop', 'tmp', `perturb-${process.pid}`);
  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, source: string) => {
    writeFileSync(join(dir, name), source);
    return join(dir, name);
  };

  it('draw the same plan from the same stream, and another from another stream', () => {
    const sequence = (stream: number) => {
      const plan = planFor(stream);
      return { rate: plan.jitterRate, lingers: [...plan.lingers], jitters: Array.from({ length: 20 }, () => [plan.jitters(), plan.nextJitter()]) };
    };
    expect(sequence(streamOf(4711, '01a check', 1))).toEqual(sequence(streamOf(4711, '01a check', 1)));
    expect(sequence(streamOf(4711, '01a check', 1))).not.toEqual(sequence(streamOf(4711, '01a check', 2)));
    expect(sequence(streamOf(4711, '01a check', 1))).not.toEqual(sequence(streamOf(4712, '01a check', 1)));
    const plan = planFor(streamOf(1));
    expect(plan.lingers.size).toBe(6);
    for (const ms of plan.lingers.values()) expect(ms).toBeGreaterThanOrEqual(0.1);
  });

  it('spread: random() stays in [0, 1) and covers it', () => {
    const draw = random(42);
    const values = Array.from({ length: 10_000 }, draw);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.filter((value) => value < 0.5).length).toBeGreaterThan(4_500);
    expect(values.filter((value) => value < 0.5).length).toBeLessThan(5_500);
  });

  it('read WORKSHOP_SEED: a whole number, or nothing for off, empty or nonsense', () => {
    expect(seedFromEnv({ WORKSHOP_SEED: '17' })).toBe(17);
    for (const text of ['off', '', '-3', '1.5', 'abc', undefined]) expect(seedFromEnv({ WORKSHOP_SEED: text })).toBeUndefined();
  });

  it("wrap a thread's Atomics before its own code runs, and give a thread it starts a schedule of its own", async () => {
    // Each thread reports whether its Atomics are still the engine's, and the schedule it was given.
    // (Files: Node runs --import preloads for a thread's file, not for `eval` code.)
    const mine = `{ wrapped: !/\\[native code\\]/.test(String(Atomics.load)), schedule: process.env.${SCHEDULE_VARIABLE} }`;
    const child = write('child.cjs', `require('node:worker_threads').parentPort.postMessage(${mine});`);
    const parent = write('parent.cjs', `
      const { parentPort, Worker } = require('node:worker_threads');
      new Worker(${JSON.stringify(child)}).once('message', (nested) => parentPort.postMessage({ ...${mine}, nested }));
    `);
    const worker = new Worker(parent, withSchedule({}, 4711, 99));
    const reply = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(reply).toEqual({
      wrapped: true,
      schedule: '4711:99',
      nested: { wrapped: true, schedule: `4711:${streamOf(99, 1)}` },
    });
  });

  it('leave a thread alone when perturbation is off', async () => {
    const worker = new Worker(write('plain.cjs', "require('node:worker_threads').parentPort.postMessage(/\\[native code\\]/.test(String(Atomics.load)));"));
    const native = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(native).toBe(true);
  });
});

describe('verify and the seed', () => {
  it('takes --seed N, and refuses what is not a whole number', () => {
    expect(parseArgs(['01b', '--seed', '4711']).seed).toBe(4711);
    expect(parseArgs(['01b', '--seed=12']).seed).toBe(12);
    expect(() => parseArgs(['01b', '--seed', 'x'])).toThrow(/--seed to be a whole number/);
    expect(() => parseArgs(['01b', '--seed', '-1'])).toThrow(/--seed/);
  });

  it('names the seed and the command that replays it when a step of a threaded lesson fails, and not otherwise', () => {
    const failed = (stepId: string): RunResult => ({
      checks: [{ stepId, name: 'a check', state: 'failed', message: 'it went wrong', durationMs: 1 }],
      loadErrors: [],
      unhandled: [],
      stalled: false,
      seed: 4711,
    });
    expect(formatReport([select('01b')], failed('01b'), 'lessons')).toContain('npm run verify -- 01b --seed 4711');
    // Lesson 02 starts no threads: a seed would mean nothing there.
    expect(formatReport([select('02a')], failed('02a'), 'lessons')).not.toContain('--seed');
    const passed = { ...failed('01b'), checks: [{ stepId: '01b', name: 'a check', state: 'passed' as const, durationMs: 1 }] };
    expect(formatReport([select('01b')], passed, 'lessons')).not.toContain('--seed');
  });
});

describe('the latency proxy', () => {
  /** A server that keeps what it is sent; the proxy in front of it. */
  async function behindProxy(seed: number) {
    let received = '';
    const sink = createServer((socket) => socket.on('data', (chunk) => (received += chunk.toString())));
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const proxy = await startLatencyProxy(`redis://127.0.0.1:${(sink.address() as { port: number }).port}`, seed, 2);
    const url = new URL(proxy.url);
    const client = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => client.once('connect', resolve));
    const close = async () => {
      client.destroy();
      await proxy.close();
      await new Promise((resolve) => sink.close(resolve));
    };
    return { proxy, client, received: () => received, close };
  }
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
  };

  it('delays what a client sends but keeps its order', async () => {
    const { client, received, close } = await behindProxy(7);
    try {
      const sent = Array.from({ length: 200 }, (_, i) => `${i};`);
      for (const part of sent) {
        client.write(part);
        if (Number(part.slice(0, -1)) % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => received().length === sent.join('').length);
      expect(received()).toBe(sent.join(''));
    } finally {
      await close();
    }
  });

  it('holds a matching command, and what follows it, until released', async () => {
    const { proxy, client, received, close } = await behindProxy(8);
    try {
      const hold = proxy.hold(/BLPOP/);
      client.write('PING;');
      await until(() => received() === 'PING;');
      client.write('BLPOP jobs 30;');
      await hold.held;
      await new Promise((resolve) => setTimeout(resolve, 1));
      client.write('ECHO after;');
      // Nothing gets past a held command: wait for a state that proves the proxy kept both.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received()).toBe('PING;');
      hold.release();
      await until(() => received() === 'PING;BLPOP jobs 30;ECHO after;');
    } finally {
      await close();
    }
  });
});
