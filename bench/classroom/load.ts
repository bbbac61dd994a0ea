/**
 * A class under load: simulated learners that each send a result every `intervalMs`, some of the
 * requests abusive on purpose (malformed, replayed, from nobody), against a classroom server in a
 * process of its own (so its memory can be read) or against a bare `node:http` server that only
 * answers 202 (the limit: what any server on this machine can do for the same requests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../workshop/target.ts';

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
  /** The server's resident memory now, bytes (from /proc; undefined elsewhere). */
  rss(): number | undefined;
  stop(): Promise<void>;
}

/** `npm run classroom` in a child process, on a free loopback port, with its state in a temporary folder. */
export async function spawnClassroom(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'workshop-classroom-load-'));
  const child = spawn(process.execPath, ['workshop/launch.mjs', 'classroom', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const out = await printed(child, /Your board: +(\S+)/);
    const join = /join (http:\S+)/.exec(out)![1]!;
    const board = new URL(/Your board: +(\S+)/.exec(out)![1]!);
    return { url: new URL(join).origin, code: new URL(join).pathname.slice(1), token: board.searchParams.get('token')!, rss: () => rssOf(child.pid), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function printed(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the classroom printed no address in 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the classroom exited (${code}): ${out}`)));
  });
}

function rssOf(pid: number | undefined): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The limit: a node:http server that reads the body and answers 202, in a process of its own as the classroom is. */
export async function spawnBare(): Promise<Target> {
  const code = `
    const http = require('node:http');
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(req.url === '/api/join' ? 201 : 202, { 'content-type': 'application/json' }); res.end('{"learnerId":"x","secret":"y"}'); });
    });
    server.listen(0, '127.0.0.1', () => console.log('Your board: http://127.0.0.1:' + server.address().port + '/board?token=t join http://127.0.0.1:' + server.address().port + '/CODE'));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = await printed(child, /Your board/);
  const port = /127\.0\.0\.1:(\d+)/.exec(out)![1];
  return {
    url: `http://127.0.0.1:${port}`,
    code: 'CODE',
    token: 't',
    rss: () => rssOf(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
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
      await sleep((options.intervalMs * index) / options.learners);
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
        await sleep(due - performance.now());
      }
    }),
  );
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
