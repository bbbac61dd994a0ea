/**
 * Injects the faults of a schedule at their moments, and records each as it really happened. The
 * moment is the schedule's; everything after it waits for a state, not for a guess: a kill or a
 * stall waits until its worker is in the middle of a job, a stall lasts until the worker's heartbeat
 * key has expired and the reaper has struck it off (past the lease), a restart until Redis answers,
 * and a restart or a cut is over once every worker's heartbeat has got through again.
 */
import type { Redis } from 'ioredis';
import type { LocalRedis } from '../../../workshop/provision/provision.ts';
import type { Cluster, Member } from './cluster.ts';
import type { Fault } from './history.ts';
import type { Proxy } from './proxy.ts';
import { now } from './recorder.ts';
import type { PlannedFault } from './schedule.ts';
import { pause } from '../lesson-06.ts';

export interface FaultContext {
  cluster: Cluster;
  redis: LocalRedis;
  proxy: Proxy;
  /** A connection straight to Redis that retries, for the checks' own reads (with the run's key prefix). */
  observer: Redis;
  leaseMs: number;
  t0: number;
}


/** Waits until `check` holds (errors count as not yet), at most `ms`; says whether it held. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return true;
    await pause(5);
  }
  return false;
}

/** Runs every planned fault at its moment; resolves with what was done, once all are done. */
export async function injectFaults(planned: PlannedFault[], ctx: FaultContext): Promise<Fault[]> {
  const done: Fault[] = [];
  // A worker is taken by one fault at a time; a slot that is busy passes the fault to the next free one.
  const busy = new Set<number>();
  let restarting = Promise.resolve();
  await Promise.all(
    planned.map(async (fault) => {
      await pause(ctx.t0 + fault.at - now());
      if (fault.kind === 'cut') {
        const at = now() - ctx.t0;
        ctx.proxy.cut();
        const missing = await heartbeatsBack(ctx, busy, Date.now());
        return void done.push({ kind: 'cut', at, until: now() - ctx.t0, lapses: missing });
      }
      if (fault.kind === 'restart') {
        // One restart at a time.
        const previous = restarting;
        let finish!: () => void;
        restarting = new Promise((resolve) => (finish = resolve));
        await previous;
        const at = now() - ctx.t0;
        // A crash (SIGKILL), not a shutdown: what survives is what the append-only file had fsynced.
        await ctx.redis.restart({ crash: true }).finally(finish);
        const missing = await heartbeatsBack(ctx, busy, Date.now());
        return void done.push({ kind: 'restart', at, until: now() - ctx.t0, lapses: missing });
      }
      const count = ctx.cluster.slots.length;
      const slot = Array.from({ length: count }, (_, i) => (fault.slot + i) % count).find((candidate) => !busy.has(candidate));
      if (slot === undefined) return;
      busy.add(slot);
      try {
        done.push(await (fault.kind === 'kill' ? kill : stall)(ctx, slot));
      } finally {
        busy.delete(slot);
      }
    }),
  );
  return done.sort((a, b) => a.at - b.at);
}

/**
 * After Redis was away (restarted, connections cut), the heartbeat keys may expire until each
 * worker's heartbeat gets through again, and meanwhile the reaper may give back the jobs of workers
 * that are alive. Waits until every worker no other fault holds has renewed its key since `since`
 * (epoch ms: its expiry is then at least leaseMs past it), and returns those seen without a key
 * meanwhile (a lapse can also pass between two looks: the checker counts the whole time as the outage's).
 */
async function heartbeatsBack(ctx: FaultContext, busy: Set<number>, since: number): Promise<string[]> {
  const missing = new Set<string>();
  const watched = () => [ctx.cluster.front!, ...ctx.cluster.slots.filter((_, slot) => !busy.has(slot))].filter((member) => member.ready && !member.child.exit());
  await until(async () => {
    let back = true;
    for (const member of watched()) {
      const ttl = await ctx.observer.pttl(`jobs:alive:${member.id}`);
      if (ttl < 0) missing.add(member.id);
      if (ttl < 0 || Date.now() + ttl < since + ctx.leaseMs + 20) back = false;
    }
    return back;
  }, ctx.leaseMs + 5000);
  return [...missing].sort();
}

/** Waits (up to 3 s) until the worker is in the middle of a job, so that the fault hits one. */
async function midJob(ctx: FaultContext, member: Member): Promise<string | undefined> {
  let job: string | undefined;
  await until(() => (job = ctx.cluster.running(member)) !== undefined, 3000);
  return job;
}

async function kill(ctx: FaultContext, slot: number): Promise<Fault> {
  const member = ctx.cluster.slots[slot]!;
  const job = await midJob(ctx, member);
  const at = now() - ctx.t0;
  member.killed = true;
  await member.child.kill('SIGKILL');
  // A replacement, so that the queue keeps its strength.
  await ctx.cluster.startWorker(slot);
  return { kind: 'kill', at, worker: member.id, job };
}

async function stall(ctx: FaultContext, slot: number): Promise<Fault> {
  const member = ctx.cluster.slots[slot]!;
  const job = await midJob(ctx, member);
  const at = now() - ctx.t0;
  member.child.process.kill('SIGSTOP');
  // Past the lease: the heartbeat key expired, and the reaper has struck the worker off (and given its jobs back).
  const lapsed = await until(
    async () => (await ctx.observer.exists(`jobs:alive:${member.id}`)) === 0 && (await ctx.observer.sismember('jobs:workers', member.id)) === 0,
    ctx.leaseMs + 5000,
  );
  member.child.process.kill('SIGCONT');
  return { kind: 'stall', at, until: now() - ctx.t0, worker: member.id, lapsed, job };
}
