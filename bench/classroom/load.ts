/**
 * A class under load: simulated learners that each send a result every `intervalMs`, some of the
 * requests abusive on purpose (malformed, replayed, from nobody), against a classroom server in a
 * process of its own (so its memory can be read) or against a bare `node:http` server that only
 * answers 202 (the limit: what any server on this machine can do for the same requests).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../workshop/target.ts';
import { pause } from '../stats.ts';

export interface LoadOptions {
  learners: number;
  intervalMs: number;
  durationMs: number;
  /** Every n-th request of a learner is abusive (0: none). */
  abuseEvery?: number;
}

export interface LoadResult {
  /** Times to a 202, ms, in order of sending. */
  latencies: number[];
  accepted: number;
  /** Abusive requests and the statuses they got. */
  abusive: number;
  abuseStatuses: Map<number, number>;
  /** Honest requests that got anything but 202. */
  unexpected: string[];
}

export interface Target {
  url: string;
  code: string;
  token: string;
  /** The server's heap after a full garbage collection, and its resident memory, bytes. */
  memory(): Promise<{ heap: number; rss: number }>;
  stop(): Promise<void>;
}

/** `npm run classroom`'s server, on a free loopback port with its state in a temporary folder, in a process of its own. */
export function spawnClassroom(): Promise<Target> {
  return spawnServer('classroom');
}

/** The limit: a node:http server that reads the body and answers 202, in a process of its own as the classroom is. */
export function spawnBare(): Promise<Target> {
  return spawnServer('bare');
}

async function spawnServer(kind: 'classroom' | 'bare'): Promise<Target> {
  const child = fork(join(import.meta.dirname, 'server-process.ts'), [kind], { cwd: ROOT, execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(what: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ${kind} server did not answer (${what}) in 20 s`)), 20_000);
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as T);
      });
      child.once('exit', (code) => reject(new Error(`the ${kind} server exited (${code}) before ${what}`)));
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('stop');
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(hard);
  };
  try {
    const ready = await next<{ url: string; code: string; token: string }>('its address');
    return {
      ...ready,
      memory: () => {
        const answer = next<{ heap: number; rss: number }>('its memory');
        child.send('heap');
        return answer;
      },
      stop,
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

const STEPS = ['01a', '01b', '01c', '02a', '02b', '03a', '03b', '04a', '04b', '05a', '05b', '06a', '06b', '06c', '06d'];

function result(runId: string, round: number) {
  const step = STEPS[round % STEPS.length]!;
  const passing = round % 3 === 2;
  return {
    runId,
    at: new Date().toISOString(),
    via: 'watch',
    steps: [
      {
        step,
        status: passing ? 'passed' : 'failed',
        passed: passing ? 4 : 2,
        checks: 4,
        failing: passing ? [] : [{ check: 'the dryer waits inside Redis', message: 'your dryer never waited inside Redis: it polled with LPOP 212 times in 1 s' }],
      },
    ],
  };
}

async function post(url: string, body: string, auth?: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body });
  await response.arrayBuffer();
  return response.status;
}

/** Joins `learners`, then has each send a result every `intervalMs` (starts spread over the first interval). */
export async function runLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  const auths: string[] = [];
  for (let i = 0; i < options.learners; i++) {
    const response = await fetch(`${target.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: target.code, name: `learner ${i} ${Date.now()}` }) });
    const joined = (await response.json()) as { learnerId: string; secret: string };
    auths.push(`${joined.learnerId}.${joined.secret}`);
  }
  const out: LoadResult = { latencies: [], accepted: 0, abusive: 0, abuseStatuses: new Map(), unexpected: [] };
  const end = performance.now() + options.durationMs;
  const abuse = async (auth: string, lastBody: string | undefined, round: number, kind: number) => {
    const kinds = [
      () => post(`${target.url}/api/results`, '{"runId": "cut-off', auth),
      () => post(`${target.url}/api/results`, lastBody ?? '{}', auth),
      () => post(`${target.url}/api/results`, JSON.stringify(result(`nobody-${round}-${Math.random()}`, round)), 'nobody.nothing'),
      () => post(`${target.url}/api/results`, JSON.stringify({ ...result(`huge-${round}-${Math.random()}`, round), pad: 'x'.repeat(100_000) }), auth),
    ];
    const status = await kinds[kind % kinds.length]!().catch(() => 0);
    out.abusive++;
    out.abuseStatuses.set(status, (out.abuseStatuses.get(status) ?? 0) + 1);
  };
  await Promise.all(
    auths.map(async (auth, index) => {
      await pause((options.intervalMs * index) / options.learners);
      let lastBody: string | undefined;
      for (let round = 0; performance.now() < end; round++) {
        const due = performance.now() + options.intervalMs;
        // Abuse comes after a learner's first result (so there is one to replay), spread over learners and kinds.
        if (options.abuseEvery && round > 0 && (index + round) % options.abuseEvery === 0) await abuse(auth, lastBody, round, index);
        else {
          lastBody = JSON.stringify(result(`${index}-${round}-${Date.now()}`, round));
          const started = performance.now();
          const status = await post(`${target.url}/api/results`, lastBody, auth).catch((error: Error) => error.message);
          if (status === 202) {
            out.latencies.push(performance.now() - started);
            out.accepted++;
          } else out.unexpected.push(String(status));
        }
        await pause(due - performance.now());
      }
    }),
  );
  return out;
}
