/**
 * One run of the history check: the learner's queue (startApp() in a front process, QueueWorkers in
 * worker processes) on a Redis of its own behind a proxy, numbered jobs posted over HTTP while a
 * seeded schedule kills and stalls workers, restarts Redis and cuts connections; then the final state,
 * and the checker's verdict over the whole history.
 *
 * Used by test/06-history.test.ts (a bounded run) and by `npm run soak` (many longer runs).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findRedisServer, startRedisServer, type LocalRedis } from '../../../workshop/provision/provision.ts';
import { ROOT } from '../../../workshop/target.ts';
import { call, pause } from '../lesson-06.ts';
import { checkHistory, type Verdict } from './check.ts';
import { postJobs } from './client.ts';
import { Cluster } from './cluster.ts';
import { injectFaults } from './faults.ts';
import type { FinalJob, History } from './history.ts';
import { startProxy, type Proxy } from './proxy.ts';
import { now } from './recorder.ts';
import { scheduleFor, type FaultCounts } from './schedule.ts';

export interface ScenarioOptions {
  seed: number;
  /** The lesson folder to run, such as `<project>/solutions/06-reliable-queue`. */
  lessonDir: string;
  jobs: number;
  /** Time between two first POSTs. */
  spacingMs: number;
  /** Worker processes (the front runs one more worker). */
  workers: number;
  faults: FaultCounts;
  leaseMs: number;
  jobTimeoutMs: number;
  maxAttempts: number;
  reapIntervalMs: number;
  /** How long the queue has, after the last POST and fault, to finish every job. */
  drainMs: number;
}

export interface ScenarioResult {
  seed: number;
  history: History;
  verdict: Verdict;
  /** Whether the queue finished every job within drainMs. */
  drained: boolean;
  /** The queue's processes that ended during the run without a fault killing them, with what they printed. */
  crashed: string[];
  ms: number;
}

const PREFIX = 'hist:';

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const started = now();
  const { seed, leaseMs, jobTimeoutMs, maxAttempts, reapIntervalMs } = options;
  const schedule = scheduleFor(seed, options);
  const dir = mkdtempSync(join(tmpdir(), 'workshop-history-'));
  let redis: LocalRedis | undefined;
  let proxy: Proxy | undefined;
  let observer: Redis | undefined;
  let cluster: Cluster | undefined;
  try {
    if (!findRedisServer()) throw new Error('The history check needs `redis-server` on the PATH (it restarts its own server mid-run, which a REDIS_URL or Docker server cannot)');
    // Its own server, on a free port, in a folder of its own: every write fsynced to the append-only
    // file before the reply, so whatever Redis acknowledged survives the crash of a restart.
    redis = await startRedisServer({ persist: true });
    proxy = await startProxy({ host: '127.0.0.1', port: redis.port });
    observer = new Redis(redis.url, { keyPrefix: PREFIX, retryStrategy: () => 20, maxRetriesPerRequest: 1 });
    observer.on('error', () => {});
    cluster = new Cluster({ lessonDir: options.lessonDir, dir, proxyUrl: proxy.url, redisUrl: redis.url, prefix: PREFIX, plan: schedule.plan, leaseMs, jobTimeoutMs, maxAttempts, reapIntervalMs });
    await cluster.startFront();
    await Promise.all(Array.from({ length: options.workers }, (_, slot) => cluster!.startWorker(slot)));
    const url = `http://127.0.0.1:${cluster.front!.port}`;
    const t0 = now() + 20;
    const ctx = { cluster, redis, proxy, observer, leaseMs, t0 };
    const data = (n: number) => ({ n, sleepMs: schedule.sleepMs[n] ?? 0 });
    const [enqueues, faults] = await Promise.all([
      // A short time limit per POST: during an outage some end unknown, and are sent again with their key.
      postJobs({ url, count: options.jobs, spacingMs: options.spacingMs, t0, data, keyPrefix: `job-${seed}`, timeoutMs: 500, tries: 4 }),
      injectFaults(schedule.faults, ctx),
    ]);
    const acked = enqueues.filter((op) => op.outcome === 'ok').map((op) => op.id!);
    const drained = await quiet(observer, cluster, acked, options.drainMs);
    const final = await readFinal(observer, url, [...acked, ...cluster.runs().map((run) => run.job)]);
    const runs = cluster.runs().map((run) => ({ ...run, at: run.at - t0 }));
    const history: History = { settings: { leaseMs, jobTimeoutMs, maxAttempts }, enqueues, runs, faults, final };
    const verdict = checkHistory(history);
    // Every write Redis took, in order, for a closer look at a run that broke a rule.
    if (!verdict.ok) cpSync(redis.dir, join(ROOT, '.workshop', 'history', `${seed}-redis`), { recursive: true });
    return { seed, history, verdict, drained, crashed: cluster.crashed(), ms: now() - started };
  } finally {
    await cluster?.stop();
    await proxy?.close();
    observer?.disconnect();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps a run's history for a closer look: .workshop/history/<seed>.json (beside <seed>-redis, Redis' own files). Returns the path. */
export function saveHistory(result: ScenarioResult): string {
  const folder = join(ROOT, '.workshop', 'history');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${result.seed}.json`);
  writeFileSync(file, `${JSON.stringify(result.history, null, 2)}\n`);
  return file;
}


/**
 * Waits until the queue is at rest: nothing waiting or processing, every acknowledged job with a
 * status, and every run started by a live process finished. False if it is not within `ms`.
 */
async function quiet(observer: Redis, cluster: Cluster, acked: string[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const atRest = await (async () => {
      if ((await observer.llen('jobs:waiting')) > 0) return false;
      for (const key of await observer.keys(`${PREFIX}jobs:processing:*`)) if ((await observer.llen(key.slice(PREFIX.length))) > 0) return false;
      const statuses = await observer.hgetall('jobs:status');
      if (Object.values(statuses).some((status) => status === 'waiting' || status === 'processing')) return false;
      return acked.every((id) => id in statuses) && cluster.settled();
    })().catch(() => false);
    if (atRest) return true;
    await pause(20);
  }
  return false;
}

/** The final state: GET /jobs/<id> for every job known, and the dead-letter list. */
async function readFinal(observer: Redis, url: string, known: string[]): Promise<History['final']> {
  const statuses = await observer.hgetall('jobs:status');
  const lists = ['jobs:waiting', 'jobs:dead', ...(await observer.keys(`${PREFIX}jobs:processing:*`)).map((key) => key.slice(PREFIX.length))];
  const numbers = new Map<string, number | null>();
  const places = new Map<string, string[]>();
  for (const list of lists) {
    for (const raw of await observer.lrange(list, 0, -1)) {
      numbers.set(idOf(raw), numberOf(raw));
      places.set(idOf(raw), [...(places.get(idOf(raw)) ?? []), list]);
    }
  }
  const ids = [...new Set([...Object.keys(statuses), ...known])];
  const jobs: Record<string, FinalJob> = {};
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        const reply = await call(url, 'GET', `/jobs/${encodeURIComponent(id)}`).catch((error: Error) => ({ status: 0, text: error.message, json: () => ({}) }));
        const view = reply.status === 200 ? (reply.json() as { status?: string; attempts?: number }) : {};
        const status = reply.status === 200 ? String(view.status) : reply.status === 404 ? 'missing' : `unreadable (${reply.status || reply.text})`;
        jobs[id] = { status, attempts: Number(view.attempts ?? 0), n: numbers.get(id), lists: places.get(id) ?? [] };
      }),
    );
  }
  return { jobs, dead: (await observer.lrange('jobs:dead', 0, -1)).map(idOf) };
}

function idOf(raw: string): string {
  try {
    const id = (JSON.parse(raw) as { id?: unknown }).id;
    return typeof id === 'string' ? id : raw;
  } catch {
    return raw;
  }
}

function numberOf(raw: string): number | null {
  try {
    const n = (JSON.parse(raw) as { data?: { n?: unknown } }).data?.n;
    return typeof n === 'number' ? n : null;
  } catch {
    return null;
  }
}
