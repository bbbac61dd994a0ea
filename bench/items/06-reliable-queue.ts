/**
 * 06: the capstone's reliable queue against BullMQ on the same Redis, and its HTTP front against
 * a bare node:http server.
 *
 * Jobs: empty jobs done per second by startApp() (the lesson's deployment: its workers, each an
 * async loop with its own connections, in one process with the reaper and the HTTP front) with 1
 * and 4 workers, against BullMQ with its defaults: a Queue and 1 or 4 Workers (concurrency 1 each,
 * each with its own connection), an empty processor. Both in this process, on the bench's Redis.
 * Each run fills the queue first, then starts the workers, and counts finished jobs in Redis every
 * few ms (HLEN jobs:results; ZCARD of BullMQ's completed set): the rate runs from the first job
 * seen done for a set time (or to the last job), so start-up and shutdown are not timed. The two
 * systems take turns, the order flipping each round. A pass under MONITOR, not timed, counts what
 * each system sends Redis per job; CPU per job (INFO cpu, process.cpuUsage()) comes from the timed
 * runs. Both go in the notes, and in why a goal was missed.
 *
 * HTTP: POST /jobs requests per second with 10 autocannon connections against the lesson's
 * createServer() (server.ts; no workers take the jobs meanwhile), against node:http answering 202
 * to the same requests. Each server runs in a worker thread of its own (http-thread.ts), the load
 * in this one. Latency is taken from autocannon's per-response times (its histogram has whole ms).
 */
import { Worker as Thread } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { connect } from '../../workshop/redis.ts';
import { importLesson, within, type BenchContext, type Item, type Measured } from '../item.ts';
import { deleteKeys, plainClient } from '../redis-tools.ts';
import { median, pause, percentile } from '../stats.ts';
import type { HttpThreadJob, HttpThreadMessage, HttpThreadRequest } from './http-thread.ts';

const SLUG = '06-reliable-queue';
const COUNTS = [1, 4] as const;
const BULL_QUEUE = 'bench06';
const CONNECTIONS = 10;

interface App {
  url: string;
  close(options?: { deadlineMs?: number }): Promise<unknown>;
}
interface AppModule {
  startApp(options: { workers: number; handle: (job: unknown) => unknown }): Promise<App>;
}
interface JobsModule {
  enqueue(conn: Redis, data: unknown): Promise<string>;
}

/** One queue system as the bench drives it: fill, start N workers, count what is done, stop. */
interface System {
  name: string;
  fill(count: number): Promise<void>;
  start(workers: number): Promise<void>;
  /** Jobs finished so far, read on the bench's poll connection. */
  finished(poll: Redis): Promise<number>;
  stop(): Promise<void>;
  /** Forgets every key of the last run. */
  clean(): Promise<void>;
  /** Closes what lives for the whole item. */
  close(): Promise<void>;
}

interface Drained {
  /** Jobs per second from the first job seen done to the last. */
  rate: number;
  /** Per job over the same span, in microseconds: Redis' CPU (INFO cpu) and this process' CPU. */
  redisCpuUs: number;
  nodeCpuUs: number;
}

const usFrom = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start);
  return user + system;
};

async function redisCpuSec(poll: Redis): Promise<number> {
  const info = await poll.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/**
 * Fills `system` with `jobs` empty jobs, starts `workers` workers, and counts the jobs done from
 * the first one seen done until `windowMs` later or until all are done, whichever comes first.
 */
async function drain(system: System, poll: Redis, workers: number, jobs: number, windowMs: number): Promise<Drained> {
  await system.fill(jobs);
  let failed: { error: unknown } | undefined;
  const start = { at: performance.now(), done: 0, cpu: process.cpuUsage(), redisCpu: await redisCpuSec(poll) };
  const started = system.start(workers).catch((error: unknown) => void (failed = { error }));
  try {
    let first: typeof start | undefined;
    const deadline = performance.now() + 30_000;
    for (;;) {
      if (failed) throw failed.error;
      const done = await system.finished(poll);
      const at = performance.now();
      if (!first && done > 0 && done < jobs) first = { at, done, cpu: process.cpuUsage(), redisCpu: await redisCpuSec(poll) };
      if (done >= jobs || (first && at - first.at >= windowMs)) {
        // All done before the first count (a busy moment, a tiny quick run): from start() then, start-up included.
        const from = first ?? start;
        const counted = done - from.done;
        return {
          rate: counted / ((at - from.at) / 1000),
          redisCpuUs: (((await redisCpuSec(poll)) - from.redisCpu) * 1e6) / counted,
          nodeCpuUs: usFrom(from.cpu) / counted,
        };
      }
      if (at > deadline) throw new Error(`${system.name} with ${workers} workers did ${done} of ${jobs} jobs in 30 s`);
      await pause(2);
    }
  } finally {
    await started;
    await system.stop();
    await system.clean();
  }
}

/** What a system sends Redis per job, from MONITOR over the span from the first job done to the last. */
interface Traffic {
  /** Requests from clients per job: each command, with a MULTI...EXEC block counted once. */
  requests: number;
  /** Of those, scripts (EVAL, EVALSHA, FCALL). */
  scripts: number;
  /** Commands Redis ran per job, those run by scripts included. */
  commands: number;
  /** The commands clients sent, most frequent first, per job. */
  top: string;
}

async function traffic(system: System, ctx: BenchContext, poll: Redis, jobs: number): Promise<Traffic> {
  const pollAddr = /\baddr=(\S+)/.exec(String(await poll.client('INFO')))?.[1];
  const lines: Array<{ time: number; args: string[]; source: string }> = [];
  // monitor() opens a connection of its own, in monitor mode: the one it was called on is not needed.
  const base = plainClient(ctx.redisUrl, 'bench-06-monitor');
  const monitor = await base.monitor().finally(() => base.disconnect());
  try {
    monitor.on('monitor', (time: string, args: string[], source: string) => {
      if (source !== pollAddr) lines.push({ time: Number(time), args, source });
    });
    await system.fill(jobs);
    const redisTime = async () => {
      const [seconds = 0, micros = 0] = await poll.time();
      return Number(seconds) + Number(micros) / 1e6;
    };
    let failed: { error: unknown } | undefined;
    const start = { time: await redisTime(), done: 0 };
    const started = system.start(1).catch((error: unknown) => void (failed = { error }));
    let first: typeof start | undefined;
    let last: typeof start | undefined;
    const deadline = performance.now() + 30_000;
    try {
      while (!last) {
        if (failed) throw failed.error;
        const done = await system.finished(poll);
        const time = await redisTime();
        if (!first && done > 0 && done < jobs) first = { time, done };
        if (done >= jobs) last = { time, done };
        else if (performance.now() > deadline) throw new Error(`${system.name} under MONITOR did ${done} of ${jobs} jobs in 30 s`);
        else await pause(2);
      }
    } finally {
      await started;
      await system.stop();
      await system.clean();
    }
    // All done before the first count: from start() then, start-up included.
    const from = first ?? start;
    const counted = last.done - from.done;
    const inMulti = new Set<string>();
    let requests = 0;
    let scripts = 0;
    let commands = 0;
    const byName = new Map<string, number>();
    for (const { time, args, source } of lines) {
      if (time < from.time || time > last.time) continue;
      if (source === 'lua') {
        commands++;
        continue;
      }
      const name = (args[0] ?? '').toUpperCase();
      if (name === 'EXEC') {
        inMulti.delete(source);
        continue;
      }
      if (name === 'MULTI') inMulti.add(source);
      else commands++;
      // A command queued in a transaction travels with it: one request for the whole block.
      if (inMulti.has(source) && name !== 'MULTI') continue;
      requests++;
      if (/^(EVAL|EVALSHA|FCALL)$/.test(name)) scripts++;
      const label = name === 'MULTI' ? 'MULTI...EXEC' : name;
      byName.set(label, (byName.get(label) ?? 0) + 1);
    }
    const top = [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, count]) => `${name} ${(count / counted).toFixed(2)}`)
      .join(', ');
    return { requests: requests / counted, scripts: scripts / counted, commands: commands / counted, top };
  } finally {
    monitor.disconnect();
  }
}

function lessonSystem(ctx: BenchContext, app: AppModule, jobs: JobsModule): System {
  const filler = connect('bench-06-fill');
  let running: App | undefined;
  return {
    name: 'startApp()',
    async fill(count) {
      for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: Math.min(500, count - i) }, () => jobs.enqueue(filler, {})));
    },
    async start(workers) {
      running = await within(10_000, 'startApp()', app.startApp({ workers, handle: () => {} }));
    },
    finished: (poll) => poll.hlen(`${ctx.prefix}jobs:results`),
    async stop() {
      const app = running;
      running = undefined;
      if (app) await within(15_000, 'close() of the app', app.close({ deadlineMs: 5_000 }));
    },
    clean: () => deleteKeys(ctx.redisUrl, `${ctx.prefix}jobs:`),
    async close() {
      await filler.quit();
    },
  };
}

/** ioredis options for BullMQ from a redis:// URL (BullMQ wants options, not a URL, to make its connections). */
function connectionOf(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function bullSystem(ctx: BenchContext): System {
  const connection = connectionOf(ctx.redisUrl);
  // Under the run's prefix: the bench's own keys never meet BullMQ's, and its cleanup takes both.
  const prefix = `${ctx.prefix}bullmq`;
  const errors: unknown[] = [];
  const queue = new Queue(BULL_QUEUE, { connection, prefix });
  queue.on('error', (error) => errors.push(error));
  let workers: Worker[] = [];
  return {
    name: 'BullMQ',
    async fill(count) {
      for (let i = 0; i < count; i += 500) await queue.addBulk(Array.from({ length: Math.min(500, count - i) }, () => ({ name: 'empty', data: {} })));
    },
    async start(count) {
      workers = Array.from({ length: count }, () => new Worker(BULL_QUEUE, async () => {}, { connection, prefix }));
      for (const worker of workers) worker.on('error', (error) => errors.push(error));
      await within(10_000, 'BullMQ workers starting', Promise.all(workers.map((worker) => worker.waitUntilReady())));
    },
    async finished(poll) {
      if (errors.length > 0) throw errors[0];
      return poll.zcard(`${prefix}:${BULL_QUEUE}:completed`);
    },
    async stop() {
      const closing = workers;
      workers = [];
      await within(15_000, 'BullMQ workers closing', Promise.all(closing.map((worker) => worker.close())));
    },
    async clean() {
      await queue.obliterate({ force: true });
      await deleteKeys(ctx.redisUrl, `${prefix}:${BULL_QUEUE}:`);
    },
    async close() {
      await queue.close();
    },
  };
}

interface Served {
  port: number;
  /** CPU time the server's thread has used so far, in µs (undefined where Node cannot say). */
  cpu(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Starts one HTTP server in a thread of its own (http-thread.ts); resolves once it listens. */
async function serve(job: HttpThreadJob): Promise<Served> {
  const thread = new Thread(new URL('./http-thread.ts', import.meta.url), { workerData: job });
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const next = (what: string) =>
    within(
      10_000,
      what,
      new Promise<HttpThreadMessage>((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
        void exited.then(() => reject(new Error(`the HTTP thread ended before ${what}`)));
      }),
    );
  const ask = (request: HttpThreadRequest) => thread.postMessage(request);
  const stop = async () => {
    ask('stop');
    // A thread that does not end by itself is ended.
    await within(10_000, 'the HTTP thread closing', exited).catch(() => thread.terminate());
  };
  try {
    const first = await next(`the ${job.mode} HTTP server listened`);
    if (first.type === 'error') throw new Error(first.message);
    if (first.type !== 'listening') throw new Error(`the HTTP thread said ${first.type} before it listened`);
    const cpu = async () => {
      ask('cpu');
      const reply = await next('the HTTP thread told its CPU time');
      return reply.type === 'cpu' ? reply.us : undefined;
    };
    return { port: first.port, cpu, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Loaded {
  perSecond: number;
  /** Milliseconds, one per 2xx answer. */
  latencies: number[];
  /** CPU per request in µs: the server's thread, Redis, autocannon's (this) thread. */
  serverCpuUs?: number;
  redisCpuUs: number;
  clientCpuUs?: number;
}

const threadCpu = () => (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.();

/** POST /jobs with autocannon for `seconds`; rejects when any answer is not 2xx. */
async function load(served: Served, poll: Redis, seconds: number): Promise<Loaded> {
  const latencies: number[] = [];
  const [serverCpu, redisCpu, clientCpu] = [await served.cpu(), await redisCpuSec(poll), threadCpu()];
  const began = performance.now();
  const { answered, result } = await new Promise<{ answered: number; result: Parameters<Parameters<typeof autocannon>[1]>[1] }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${served.port}/jobs`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"n":7}',
        connections: CONNECTIONS,
        duration: seconds,
        // It ends the load at its first sample after `duration`: every 100 ms, not every second.
        sampleInt: 100,
        timeout: 5,
      },
      (error, result) => (error ? reject(error) : resolve({ answered: latencies.length, result })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const elapsed = (performance.now() - began) / 1000;
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`POST /jobs under load: ${result.non2xx} answers not 2xx, ${result.errors} errors (${result.timeouts} timeouts)`);
  }
  const [serverAfter, redisAfter, clientAfter] = [await served.cpu(), await redisCpuSec(poll), threadCpu()];
  return {
    perSecond: answered / elapsed,
    latencies,
    serverCpuUs: serverCpu === undefined || serverAfter === undefined ? undefined : (serverAfter - serverCpu) / answered,
    redisCpuUs: ((redisAfter - redisCpu) * 1e6) / answered,
    clientCpuUs: clientCpu && clientAfter ? (clientAfter.user + clientAfter.system - clientCpu.user - clientCpu.system) / answered : undefined,
  };
}

const us = (value: number) => `${Math.round(value)} µs`;
const rate = (value: number) => `${Math.round(value).toLocaleString('en')}/s`;

/**
 * The job rows: rounds of both systems at each count, in turns (the order flips each round), each
 * run counting for `windowMs` from its first job done; then a pass of each under MONITOR.
 */
async function jobRows(ctx: BenchContext, poll: Redis, lesson: System, bull: System, ready: Promise<unknown>): Promise<Measured[]> {
  const rounds = ctx.quick ? 1 : 5;
  const windowMs = ctx.quick ? 100 : 600;
  const runs = new Map<string, Drained[]>();
  const runsOf = (system: System, n: number) => runs.get(`${system.name} ${n}`) ?? [];
  // Enough jobs to last the window: half as many again as the fastest rate seen so far would need.
  const warm = new Map<System, number>();
  const jobsFor = (system: System, n: number) => {
    if (ctx.quick) return 100 * n;
    const seen = runsOf(system, n).map((drained) => drained.rate);
    const guess = seen.length > 0 ? Math.max(...seen) : (warm.get(system) ?? 2000) * n;
    return Math.min(50_000, Math.max(200, Math.ceil((guess * 1.5 * windowMs) / 1000)));
  };
  // A warm-up of each (JIT, connections), while the HTTP threads start; none is timed until they have.
  for (const system of [lesson, bull]) warm.set(system, (await drain(system, poll, 1, ctx.quick ? 100 : 1000, ctx.quick ? 50 : 300)).rate);
  await ready;
  for (let round = 0; round < rounds; round++) {
    for (const n of COUNTS) {
      for (const system of round % 2 === 0 ? [lesson, bull] : [bull, lesson]) {
        runs.set(`${system.name} ${n}`, [...runsOf(system, n), await drain(system, poll, n, jobsFor(system, n), windowMs)]);
      }
    }
  }
  const jobs = ctx.quick ? 60 : 300;
  const seen = { lesson: await traffic(lesson, ctx, poll, jobs), bull: await traffic(bull, ctx, poll, jobs) };
  const perJob = (t: Traffic) => `${t.requests.toFixed(2)} requests per job (${t.top}), Redis running ${t.commands.toFixed(1)} commands`;
  const traffics = `under MONITOR, 1 worker, startApp() sends ${perJob(seen.lesson)}; BullMQ ${perJob(seen.bull)} (${seen.bull.scripts.toFixed(2)} scripts)`;
  return COUNTS.map((n) => {
    const ours = runsOf(lesson, n);
    const theirs = runsOf(bull, n);
    const middle = (list: Drained[], pick: (d: Drained) => number) => median(list.map(pick));
    const cpu = {
      redis: [middle(ours, (d) => d.redisCpuUs), middle(theirs, (d) => d.redisCpuUs)],
      node: [middle(ours, (d) => d.nodeCpuUs), middle(theirs, (d) => d.nodeCpuUs)],
    };
    const cpuText =
      `CPU per job (medians): Redis ${us(cpu.redis[0]!)} for startApp() vs ${us(cpu.redis[1]!)} for BullMQ, this process ${us(cpu.node[0]!)} vs ${us(cpu.node[1]!)}, ` +
      `${us(cpu.redis[0]! + cpu.node[0]!)} vs ${us(cpu.redis[1]! + cpu.node[1]!)} in all`;
    // Each round's pair ran one after the other: their ratios show how much the machine moved.
    const paired = ours.map((d, i) => `${(d.rate / theirs[i]!.rate).toFixed(2)}x`).join(', ');
    return {
      key: `06 N=${n}`,
      figure: middle(ours, (d) => d.rate),
      baseline: middle(theirs, (d) => d.rate),
      note:
        `${windowMs / 1000} s a run, median of ${ours.length} (startApp() ${ours.map((d) => rate(d.rate)).join(', ')}; ` +
        `BullMQ ${theirs.map((d) => rate(d.rate)).join(', ')}; round by round ${paired}); ${cpuText}`,
      whyMissed:
        `the ${n} worker${n > 1 ? 's' : ''} and Redis share the machine's CPU, and each job costs: ${cpuText}; ` +
        `${traffics}: each worker waits for its requests one after the other.`,
    };
  });
}

/** CPU time (µs) of this thread per enqueue() call, `calls` of them, CONNECTIONS at a time on one connection. */
async function enqueueCpu(ctx: BenchContext, jobs: JobsModule, calls: number): Promise<number | undefined> {
  const conn = connect('bench-06-enqueue');
  try {
    // One call first: the connection ready, the code compiled.
    await jobs.enqueue(conn, { n: 7 });
    let started = 0;
    const lane = async () => {
      while (started++ < calls) await jobs.enqueue(conn, { n: 7 });
    };
    const before = threadCpu();
    await Promise.all(Array.from({ length: CONNECTIONS }, lane));
    const after = threadCpu();
    return before && after ? (after.user + after.system - before.user - before.system) / calls : undefined;
  } finally {
    await conn.quit();
    await deleteKeys(ctx.redisUrl, `${ctx.prefix}jobs:`);
  }
}

/** The POST rows: the lesson's front and the bare server in turns, autocannon in this thread. */
async function postRows(ctx: BenchContext, poll: Redis, front: Served, bare: Served, jobs: JobsModule): Promise<Measured[]> {
  const seconds = ctx.quick ? 0.3 : 1.5;
  const enqueueUs = await enqueueCpu(ctx, jobs, ctx.quick ? 200 : 2000);
  const http = { lesson: [] as Loaded[], bare: [] as Loaded[] };
  for (let round = 0; round < (ctx.quick ? 1 : 2); round++) {
    for (const mode of round % 2 === 0 ? (['lesson', 'bare'] as const) : (['bare', 'lesson'] as const)) {
      http[mode].push(await load(mode === 'lesson' ? front : bare, poll, seconds));
      // The jobs posted meanwhile: no worker takes them.
      if (mode === 'lesson') await deleteKeys(ctx.redisUrl, `${ctx.prefix}jobs:`);
    }
  }
  const all = (list: Loaded[]) => list.flatMap((loaded) => loaded.latencies);
  const perSecond = (list: Loaded[]) => median(list.map((loaded) => loaded.perSecond));
  const cpuOf = (list: Loaded[], pick: (loaded: Loaded) => number | undefined) => {
    const values = list.map(pick).filter((value): value is number => value !== undefined);
    return values.length === list.length ? median(values) : undefined;
  };
  const cpu = (['lesson', 'bare'] as const).map((mode) => ({
    server: cpuOf(http[mode], (l) => l.serverCpuUs),
    redis: cpuOf(http[mode], (l) => l.redisCpuUs)!,
    client: cpuOf(http[mode], (l) => l.clientCpuUs),
  }));
  const shown = (value: number | undefined) => (value === undefined ? 'unknown' : us(value));
  const total = (c: (typeof cpu)[number]) => (c.server === undefined || c.client === undefined ? undefined : c.server + c.redis + c.client);
  const [lesson, plain] = cpu as [(typeof cpu)[number], (typeof cpu)[number]];
  const where =
    `CPU per request (medians): the server's thread ${shown(lesson.server)} for server.ts vs ${shown(plain.server)} bare, Redis ${us(lesson.redis)} vs ${us(plain.redis)}, ` +
    `autocannon's thread ${shown(lesson.client)} vs ${shown(plain.client)}: ${shown(total(lesson))} vs ${shown(total(plain))} in all`;
  const share = total(lesson) && total(plain) ? ` (a bare request costs ${(total(plain)! / total(lesson)!).toFixed(2)}x as much)` : '';
  const lessonAll = all(http.lesson);
  const bareAll = all(http.bare);
  return [
    {
      key: '06 POST',
      figure: perSecond(http.lesson),
      baseline: perSecond(http.bare),
      note:
        `${seconds} s of load a run, median of ${http.lesson.length} (server.ts ${http.lesson.map((l) => rate(l.perSecond)).join(', ')}; ` +
        `bare ${http.bare.map((l) => rate(l.perSecond)).join(', ')}); ${where}`,
      whyMissed:
        `autocannon, the server's thread and Redis share ${availableParallelism()} cores, so requests/s follow the CPU each request costs them all: ${where}${share}. ` +
        `Over the bare server, each POST /jobs reads and checks a JSON body and calls enqueue(): one MULTI...EXEC (RPUSH, HSET, INCR) on its ioredis ` +
        `connection, which alone, timed apart in this thread (${CONNECTIONS} at a time), costs ${shown(enqueueUs)} of CPU a call.`,
    },
    { key: '06 POST p50', figure: median(lessonAll), baseline: median(bareAll), note: `over ${lessonAll.length} and ${bareAll.length} answers` },
    { key: '06 POST p99', figure: percentile(lessonAll, 99), baseline: percentile(bareAll, 99) },
  ];
}

export const reliableQueue: Item = {
  id: '06',
  title: 'reliable queue vs BullMQ; POST /jobs vs bare node:http',
  rows: [
    ...COUNTS.map((n) => ({
      key: `06 N=${n}`,
      what: `empty jobs done, ${n} worker${n > 1 ? 's' : ''} (startApp)`,
      unit: 'jobs/s',
      baselineWhat: `BullMQ, ${n} Worker${n > 1 ? 's' : ''}, defaults`,
      baselineUnit: 'jobs/s',
      goal: { kind: 'min-ratio', value: 1 } as const,
      whyMissed: 'each job costs the lesson more requests to Redis than BullMQ, one after the other.',
    })),
    {
      key: '06 POST',
      what: `POST /jobs, ${CONNECTIONS} connections (server.ts)`,
      unit: 'req/s',
      baselineWhat: 'node:http answering 202',
      baselineUnit: 'req/s',
      goal: { kind: 'min-ratio', value: 0.5 },
      whyMissed: 'each POST waits for a MULTI...EXEC round trip to Redis, which the bare server does not make.',
    },
    {
      key: '06 POST p50',
      what: 'POST /jobs latency, median',
      unit: 'ms',
      baselineWhat: 'node:http answering 202',
      baselineUnit: 'ms',
      goal: { kind: 'none' },
      lowerIsBetter: true,
    },
    {
      key: '06 POST p99',
      what: 'POST /jobs latency, p99',
      unit: 'ms',
      baselineWhat: 'node:http answering 202',
      baselineUnit: 'ms',
      goal: { kind: 'none' },
      lowerIsBetter: true,
    },
  ],
  async run(ctx): Promise<Measured[]> {
    const app = await importLesson<AppModule>(ctx, SLUG, 'app.ts');
    const jobsModule = await importLesson<JobsModule>(ctx, SLUG, 'jobs.ts');
    const serverModule = pathToFileURL(join(ctx.targetDir, SLUG, 'server.ts')).href;
    const loadBefore = loadavg()[0]!;
    const poll = plainClient(ctx.redisUrl, 'bench-06-poll');
    const lesson = lessonSystem(ctx, app, jobsModule);
    const bull = bullSystem(ctx);
    // The HTTP servers' threads start now, during the jobs' warm-up: their start-up is not timed (it
    // takes a second on a busy machine), and idle they cost the job rows nothing.
    const servers = Promise.allSettled([serve({ mode: 'lesson', module: serverModule }), serve({ mode: 'bare' })]);
    try {
      const out = await jobRows(ctx, poll, lesson, bull, servers);
      const [front, bare] = (await servers).map((settled) => {
        if (settled.status === 'rejected') throw settled.reason;
        return settled.value;
      }) as [Served, Served];
      out.push(...(await postRows(ctx, poll, front, bare, jobsModule)));
      const machine = `load average ${loadBefore.toFixed(1)} before this item and ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores`;
      for (const row of out.filter((row) => row.note && (row.key === '06 N=1' || row.key === '06 POST'))) row.note += `; ${machine}`;
      return out;
    } finally {
      await Promise.all((await servers).map((settled) => (settled.status === 'fulfilled' ? settled.value.stop() : undefined)));
      await Promise.allSettled([lesson.close(), bull.close()]);
      poll.disconnect();
      await deleteKeys(ctx.redisUrl, `${ctx.prefix}jobs:`);
      await deleteKeys(ctx.redisUrl, `${ctx.prefix}bullmq:`);
    }
  },
};
