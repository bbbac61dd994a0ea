/** Lesson 03's probes for the contract checks (checks.ts): one runDryers(), one runThrottledWorker(). */
import { runDryers } from '#target/03-many-dryers/dryers.ts';
import { runThrottledWorker } from '#target/03-many-dryers/throttled-worker.ts';
import { within } from '../waits.ts';
import type { Probe } from './checks.ts';

const shown = (items: readonly unknown[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

export const dryersProbe: Probe = {
  redis: true,
  // Each run waits out a BLPOP timeout and starts threads: one draw beyond the examples.
  draws: 1,
  keys: (effective) => [String(effective.queue)],
  subject: 'runDryers()',
  done: 'runDryers() settled',
  async run({ given, effective, tag, redis, helper }) {
    const dryers = Number(effective.dryers);
    const timeoutSec = Number(effective.timeoutSec);
    const workMs = Number(effective.workMs);
    const queue = String(effective.queue);
    const dishes = Array.from({ length: 4 }, (_, i) => `dish-${tag}-${i + 1}`);
    // One quit fewer than dryers: all but one stop at a quit, the last by its timeout.
    await helper('washer').rpush(queue, ...dishes, ...Array.from({ length: dryers - 1 }, () => 'quit'));
    const options = { dryers, timeoutSec, workMs, ...('queue' in given ? { queue: String(given.queue) } : {}) };
    const started = performance.now();
    const reports = await within(runDryers(options), timeoutSec * 1000 + dishes.length * workMs + 4000, () => `runDryers() had not settled ${timeoutSec + 4} s after it was called`);
    const tookMs = performance.now() - started;
    const ids = reports.map((report) => report.id).sort((a, b) => a - b);
    if (ids.join() !== Array.from({ length: dryers }, (_, i) => i + 1).join()) {
      throw new Error(`runDryers() reported dryers ${shown(ids)}: one report per dryer, numbered 1 to ${dryers}`);
    }
    const dried = reports.flatMap((report) => report.dried);
    const missing = dishes.filter((dish) => !dried.includes(dish));
    if (missing.length > 0 || dried.length !== dishes.length) {
      const left = await redis.observer.lrange(redis.key(queue), 0, -1);
      throw new Error(
        `the dryers dried ${shown(dried)}, and ${shown(left)} stayed in ${JSON.stringify(queue)}` +
          ('queue' in given ? ', the list they were given' : ', the list they use when none is given') + `: every dish once, ${shown(dishes)}`,
      );
    }
    const reasons = reports.map((report) => report.reason).sort();
    const want = [...Array.from({ length: dryers - 1 }, () => 'quit'), 'timeout'].sort();
    if (reasons.join() !== want.join()) {
      throw new Error(`with ${dryers - 1} quit(s) for ${dryers} dryer(s), the reasons were ${shown(reasons)}: each quit stops one dryer, and the last stops by its timeout`);
    }
    if (tookMs < timeoutSec * 1000 - 20) {
      throw new Error(`runDryers() settled after ${Math.round(tookMs)} ms, before a BLPOP of timeoutSec ${timeoutSec} could have timed out: pass timeoutSec to BLPOP as it is, in seconds`);
    }
    const most = Math.max(...reports.map((report) => report.dried.length));
    if (tookMs < most * workMs - 5) {
      throw new Error(`a dryer dried ${most} dishes in ${Math.round(tookMs)} ms, with workMs ${workMs}: each dish takes workMs of work`);
    }
  },
};

export const throttleProbe: Probe = {
  redis: true,
  keys: (effective) => [String(effective.queue)],
  subject: 'runThrottledWorker()',
  done: 'runThrottledWorker() resolved',
  async run({ given, effective, tag, redis, helper }) {
    const queue = String(effective.queue);
    const intervalMs = Number(effective.intervalMs);
    const refreshMs = Number(effective.refreshMs);
    const jobs = [`job-${tag}-1`, `job-${tag}-2`, `job-${tag}-3`];
    await helper('producer').rpush(queue, ...jobs, 'exit', `after-${tag}`);
    const starts: number[] = [];
    const handled: string[] = [];
    const backlog: number[] = [];
    let refreshes = 0;
    const report = await within(
      runThrottledWorker(helper('worker'), {
        intervalMs,
        refreshMs,
        ...('queue' in given ? { queue } : {}),
        handle: (job) => {
          starts.push(performance.now());
          handled.push(job);
        },
        refresh: () => void refreshes++,
        ...('onBacklog' in given ? { onBacklog: (waiting: number) => void backlog.push(waiting) } : {}),
      }),
      3 * intervalMs + 3000,
      () => `runThrottledWorker() had not resolved ${(3 * intervalMs + 3000) / 1000} s after it was called, with "exit" in ${JSON.stringify(queue)}`,
    );
    if (handled.join('\n') !== jobs.join('\n')) throw new Error(`handle() got ${shown(handled)}: it must get ${shown(jobs)} from ${JSON.stringify(queue)}, in order, and not "exit"`);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    // Node's timers count whole milliseconds from the event loop's clock: a correct sleep may end about 2 ms early.
    const short = gaps.find((gap) => gap < intervalMs - 2);
    if (short !== undefined) throw new Error(`two jobs started ${short.toFixed(1)} ms apart, with intervalMs ${intervalMs}: at least intervalMs between starts`);
    const want = refreshMs >= 60_000 ? 1 : refreshMs <= intervalMs / 2 ? jobs.length : undefined;
    if (want !== undefined && refreshes !== want) {
      throw new Error(`refresh() was called ${refreshes} time(s) for ${jobs.length} jobs ${intervalMs} ms apart, with refreshMs ${refreshMs}: it should be ${want}`);
    }
    if (report.handled !== jobs.length || report.refreshes !== refreshes) {
      throw new Error(`runThrottledWorker() returned ${JSON.stringify(report)}: it handled ${jobs.length} jobs and refreshed ${refreshes} time(s)`);
    }
    if ('onBacklog' in given && backlog.join() !== '4,3,2') throw new Error(`onBacklog got ${shown(backlog)}: right after taking each job, the number of items still in the list (4, 3, 2 here)`);
    const rest = await redis.observer.lrange(redis.key(queue), 0, -1);
    if (rest.join() !== `after-${tag}`) throw new Error(`after "exit", the list held ${shown(rest)}: what comes after exit stays in it`);
  },
};
