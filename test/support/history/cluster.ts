/**
 * The processes of one history run: the front (startApp) and the worker processes, each writing its
 * runs to a file of its own, and what the faults do to them. Worker processes sit in slots: a killed
 * worker's replacement takes its slot, so that a seed's "slot 2" means the same place in every replay.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../../workshop/target.ts';
import { startChild, tail, type Child } from '../lesson-06.ts';
import type { Run } from './history.ts';
import type { Plan } from './recorder.ts';

export interface ClusterOptions {
  /** The lesson folder whose app.ts and worker.ts run. */
  lessonDir: string;
  /** Where the history files go. */
  dir: string;
  /** The proxy the queue's own connections go through, and Redis itself (for the recorder). */
  proxyUrl: string;
  redisUrl: string;
  prefix: string;
  plan: Plan;
  leaseMs: number;
  jobTimeoutMs: number;
  maxAttempts: number;
  reapIntervalMs: number;
}

export interface Member {
  id: string;
  child: Child;
  file: string;
  /** Set once it has started (printed ready, or listening). */
  ready?: boolean;
  /** Set by a fault that kills it: its end is no news. */
  killed?: boolean;
}

const HERE = join(ROOT, 'test/support/history');

/** Thrown when the learner's queue cannot even start: the message says which part and why. */
export class StartError extends Error {
  override name = 'StartError';
}

export class Cluster {
  readonly slots: Member[] = [];
  front?: Member & { port: number };
  private readonly options: ClusterOptions;
  private readonly all: Member[] = [];
  private count = 0;

  constructor(options: ClusterOptions) {
    this.options = options;
  }

  private env(id: string, file: string): Record<string, string> {
    const o = this.options;
    return {
      WORKSHOP_REDIS_URL: o.proxyUrl,
      HISTORY_REDIS_URL: o.redisUrl,
      HISTORY_FILE: file,
      HISTORY_PLAN: JSON.stringify(o.plan),
      WORKER_ID: id,
      JOB_LEASE_MS: String(o.leaseMs),
      JOB_TIMEOUT_MS: String(o.jobTimeoutMs),
      JOB_MAX_ATTEMPTS: String(o.maxAttempts),
      JOB_REAP_INTERVAL_MS: String(o.reapIntervalMs),
      JOB_BLOCK_TIMEOUT_SEC: '1',
    };
  }

  async startFront(): Promise<void> {
    const file = join(this.options.dir, 'front.jsonl');
    const app = pathToFileURL(join(this.options.lessonDir, 'app.ts')).href;
    const child = startChild('front', join(HERE, 'front.ts'), [app], this.env('front', file), this.options.prefix);
    const line = await started(child, /^(listening|failed)\b/, 'startApp() from app.ts (step 06d), with one worker, the reaper and the HTTP server');
    const [, port = '0', id = 'app'] = line.split(' ');
    this.front = { id, child, file, port: Number(port), ready: true };
    this.all.push(this.front);
  }

  /** Starts a worker process in `slot` (a new one at the end when omitted); resolves once it is ready. */
  async startWorker(slot = this.slots.length): Promise<Member> {
    const id = `w${++this.count}`;
    const file = join(this.options.dir, `${id}.jsonl`);
    const worker = pathToFileURL(join(this.options.lessonDir, 'worker.ts')).href;
    const child = startChild(`worker ${id}`, join(HERE, 'worker.ts'), [worker], this.env(id, file), this.options.prefix);
    const member: Member = { id, child, file };
    this.slots[slot] = member;
    this.all.push(member);
    await started(child, /^(ready|failed)\b/, `QueueWorker from worker.ts (step 06a) as worker ${id}`);
    member.ready = true;
    return member;
  }

  /** The job `member` is running now (its last line is a start), if any. */
  running(member: Member): string | undefined {
    const last = this.runsOf(member).at(-1);
    return last?.kind === 'start' ? last.job : undefined;
  }

  /** Every run recorded by every process so far, at epoch ms. */
  runs(): Run[] {
    return this.all.flatMap((member) => this.runsOf(member));
  }

  private runsOf(member: Member): Run[] {
    if (!existsSync(member.file)) return [];
    return readFileSync(member.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Run);
  }

  /** True when every process not killed has finished every run it started. */
  settled(): boolean {
    return this.all.every((member) => member.child.exit() !== undefined || this.runsOf(member).reduce((open, run) => open + (run.kind === 'start' ? 1 : -1), 0) <= 0);
  }

  /** The processes that ended on their own during the run, each with what it printed. */
  crashed(): string[] {
    return this.all
      .filter((member) => !member.killed && member.child.exit())
      .map((member) => `${member.child.name} ended by itself during the run (${describeExit(member.child)}). What it printed:${tail(member.child)}`);
  }

  /** Ends every process at once (SIGCONT first, for one still stopped) and waits until each has exited. */
  async stop(): Promise<void> {
    for (const member of this.all) if (!member.child.exit()) member.child.process.kill('SIGCONT');
    await Promise.all(this.all.map((member) => member.child.kill('SIGKILL')));
  }
}

/** Waits for a child's first line matching `ready`; a `failed` line or an early exit is a StartError naming `what`. */
async function started(child: Child, ready: RegExp, what: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 15_000)));
  const exited = child.exited.then(() => 'exited' as const);
  const outcome = await Promise.race([child.line(ready), exited, late]).finally(() => clearTimeout(timer));
  if (typeof outcome === 'string' && outcome !== 'exited' && outcome !== 'late' && !outcome.startsWith('failed')) return outcome;
  const why = outcome === 'late' ? 'did not start within 15 s' : outcome === 'exited' ? `ended before it started (${describeExit(child)})` : `failed: ${outcome.slice('failed: '.length)}`;
  throw new StartError(`The history check could not start ${what}: it ${why}.${outcome.startsWith('failed') ? '' : ` What it printed:${tail(child)}`}`);
}

function describeExit(child: Child): string {
  const status = child.exit();
  return status?.signal ? `killed by ${status.signal}` : `exit code ${status?.code}`;
}
