import { runDryers, type DryerReport } from '#target/03-many-dryers/dryers.ts';
import { runThrottledWorker, type ThrottleReport } from '#target/03-many-dryers/throttled-worker.ts';
import { openConnections } from '../workshop/redis.ts';
import { liveThreads, threadsStarted } from './support/threads.ts';
import type { TraceEvent } from './support/trace.ts';
import { expect, step, test, type RedisKit } from './support/workshop-test.ts';

const POLLING = ['LPOP', 'RPOP', 'LLEN', 'LRANGE', 'LINDEX', 'EXISTS'];
/** The checks' own connections in 03a; every other client of a check is the learner's. */
const OURS = ['washer'];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dishes = (n: number, name = 'dish') => Array.from({ length: n }, (_, i) => `${name}-${String(i + 1).padStart(2, '0')}`);
const quits = (n: number) => Array.from({ length: n }, () => 'quit');
const isOurs = (client: string) => OURS.some((name) => client === name || client.startsWith(`${name}#`));
const list = (items: readonly unknown[]) => items.map(String).join(', ') || 'nothing';

/** What runDryers() is watched with: where its commands start in the trace, how many threads there were before. */
interface Watch {
  /** How many dryers run, in all. */
  dryers: number;
  timeoutSec: number;
  /** How many items (dishes and quits) the check pushes onto each list. */
  pushed: Record<string, number>;
  /** True when dryers are meant to stop by timeout, so that a rejection is likely a timeout taken for an error. */
  timeouts: boolean;
  threadsBefore: number;
  eventsBefore: number;
}

async function watch(redis: RedisKit, options: Omit<Watch, 'threadsBefore' | 'eventsBefore'>): Promise<Watch> {
  await redis.trace.settle();
  return { ...options, threadsBefore: threadsStarted(), eventsBefore: redis.trace.events.length };
}

/** The learner's commands since the watch began, as Redis saw them. */
async function theirCommands(redis: RedisKit, w: Watch): Promise<TraceEvent[]> {
  await redis.trace.settle();
  return redis.trace.events.slice(w.eventsBefore).filter((event) => !isOurs(event.client));
}

/** Throws the lesson's explanation when the dryers poll or give BLPOP a timeout other than timeoutSec. */
function checkCommands(events: TraceEvent[], w: Watch): void {
  const polls = POLLING.map((command) => [command, events.filter((event) => event.command === command).length] as const).filter(([, n]) => n > 0);
  if (polls.length > 0) {
    throw new Error(
      // No count: the dryers go on asking after this look, and the trace below shows every ask.
      `your dryers asked Redis for dishes with ${polls.map(([command]) => command).join(' and ')} instead of waiting: that is polling. ` +
        'BLPOP with a timeout waits inside Redis, which wakes the dryer when a dish arrives or the time is up.',
    );
  }
  const wrong = events.filter((event) => event.command === 'BLPOP').find((event) => Number(event.args.at(-1)) !== w.timeoutSec);
  if (wrong) {
    const sent = wrong.args.at(-1);
    throw new Error(
      `your dryers called BLPOP with a timeout of ${sent}, but timeoutSec was ${w.timeoutSec}: BLPOP counts its timeout in seconds ` +
        `(fractions such as 0.5 are fine since Redis 6), so ${sent} means ${Number(sent) >= 60 ? `${Math.round(Number(sent) / 60)} minutes` : `${sent} seconds`}. ` +
        'Pass timeoutSec to BLPOP as it is.',
    );
  }
}

/** The learner's clients of this check, from CLIENT LIST. */
async function theirClients(redis: RedisKit) {
  return (await redis.clients()).filter((client) => !isOurs(client.client));
}

function explainRejection(error: unknown, timeoutsExpected: boolean): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (!timeoutsExpected || message.startsWith('TODO')) return new Error(`runDryers() failed: ${message}`);
  return new Error(
    `runDryers() rejected with "${message}" while its dryers waited for dishes that never came. A timeout is a normal end, ` +
      'not an error: when BLPOP answers null, stop the loop and report reason "timeout".',
  );
}

/**
 * Waits until every dryer is blocked in BLPOP, so that dishes pushed now reach all of them. Fails
 * at once, with the reason, when they poll, share one connection, use the wrong timeout, or
 * runDryers() settles first.
 */
async function allWaiting(redis: RedisKit, run: Promise<DryerReport[]>, w: Watch): Promise<void> {
  let settled: { error?: unknown } | undefined;
  run.then(
    () => (settled = {}),
    (error: unknown) => (settled = { error }),
  );
  const deadline = Date.now() + 4000;
  for (;;) {
    checkCommands(await theirCommands(redis, w), w);
    const blocked = (await theirClients(redis)).filter((client) => client.blocked);
    if (blocked.length >= w.dryers) return;
    const shared = openConnections().length;
    if (blocked.length > 0 && shared > 0 && shared < w.dryers && threadsStarted() === w.threadsBefore) {
      throw new Error(
        `your ${w.dryers} dryers share ${shared === 1 ? 'one connection' : `${shared} connections`} in the main thread: a connection runs one blocking command at a time, ` +
          `so only ${blocked.length === 1 ? 'one dryer is' : `${blocked.length} dryers are`} waiting in BLPOP and the others queue behind it. ` +
          'Run each dryer in a worker thread ' +
          'of its own (dryer-worker.ts) that calls connect() for its own connection.',
      );
    }
    if (settled) {
      if ('error' in settled) throw explainRejection(settled.error, false);
      throw new Error('runDryers() resolved before any dish was pushed: each dryer should wait in BLPOP (with timeoutSec) for the dishes.');
    }
    if (Date.now() > deadline) {
      throw new Error(
        `after 4 s only ${blocked.length} of your ${w.dryers} dryers were waiting in BLPOP, and ${threadsStarted() - w.threadsBefore} ` +
          'worker thread(s) had started: start one thread per dryer, each with a connection of its own.',
      );
    }
    await pause(10);
  }
}

/**
 * Awaits runDryers(). Fails at once when its dryers are stuck: asking BLPOP again after it
 * answered null (the timeout passed), or sitting on an open connection with nothing to wait for.
 */
async function finished(redis: RedisKit, run: Promise<DryerReport[]>, w: Watch): Promise<DryerReport[]> {
  let done = false;
  const result = run.finally(() => {
    done = true;
  });
  const stuck = (async () => {
    let seen = -1;
    let idleSince = Date.now();
    while (!done) {
      const events = await theirCommands(redis, w);
      checkCommands(events, w);
      const clients = await theirClients(redis);
      const blocked = clients.filter((client) => client.blocked).length;
      let taken = 0;
      for (const [queue, pushed] of Object.entries(w.pushed)) taken += pushed - (await redis.observer.llen(redis.key(queue)));
      if (done) return;
      // Each BLPOP sent has taken an item, answered null, or is still blocked; a correct dryer gets null at most once.
      const nulls = events.filter((event) => event.command === 'BLPOP').length - blocked - taken;
      if (nulls > w.dryers) {
        throw new Error(
          `your ${w.dryers} dryers kept waiting: BLPOP answered null (no dish within timeoutSec) ${nulls} times, and they asked again ` +
            'after BLPOP answered null. null means the timeout passed: stop the loop and report reason "timeout".',
        );
      }
      const left = Object.values(w.pushed).reduce((sum, pushed) => sum + pushed, 0) - taken;
      if (clients.length === 0 || blocked > 0 || left > 0 || events.length !== seen) idleSince = Date.now();
      seen = events.length;
      if (Date.now() - idleSince > 2000) {
        throw new Error(
          `runDryers() had not resolved 2 s after the last dryer stopped waiting: ${clients.length} dryer connection(s) were still open ` +
            `and ${liveThreads().length} worker thread(s) still running. An open connection keeps its thread alive: close each dryer's ` +
            'connection (await conn.quit()) when its loop ends.',
        );
      }
      await pause(20);
    }
  })();
  stuck.catch(() => {});
  let outcome: { reports: DryerReport[] } | { error: unknown };
  try {
    outcome = await Promise.race([result.then((reports) => ({ reports })), stuck.then(() => result).then((reports) => ({ reports }))]);
  } catch (error) {
    outcome = { error };
  }
  if ('reports' in outcome) return outcome.reports;
  if (done) throw explainRejection(outcome.error, w.timeouts);
  throw outcome.error;
}

/** Every dish in `dried` exactly once and nothing else, or the teaching message for what is off. */
function checkOnce(reports: DryerReport[], expected: string[]): void {
  const all = reports.flatMap((report) => report.dried);
  const twice = [...new Set(all.filter((dish, i) => all.indexOf(dish) !== i))];
  expect(twice, `${list(twice)} dried more than once: each dish must reach exactly one dryer (BLPOP hands each item to one client)`).toEqual([]);
  const missing = expected.filter((dish) => !all.includes(dish));
  expect(missing, `${list(missing)} never dried: every dish pushed before the quits must be dried by some dryer`).toEqual([]);
  const extra = all.filter((dish) => !expected.includes(dish));
  expect(extra, `your dryers reported ${list(extra)} as dried, which is not a dish (quit ends a dryer; it is not dried)`).toEqual([]);
}

step('03a', () => {
  test('runDryers() gives every dish to exactly one dryer, and every dryer some', async ({ redis }) => {
    const plates = dishes(12, 'plate');
    const w = await watch(redis, { dryers: 3, timeoutSec: 5, pushed: { dishes: 15 }, timeouts: false });
    const run = runDryers({ dryers: 3, timeoutSec: 5, workMs: 20 });
    run.catch(() => {});
    await allWaiting(redis, run, w);
    // All three are blocked, so Redis hands one dish to each at once: each must dry at least one.
    await redis.client('washer').rpush('dishes', ...plates, ...quits(3));
    const reports = await finished(redis, run, w);
    const running = liveThreads().length;
    expect(
      running,
      `runDryers() resolved while ${running} dryer thread(s) were still running: resolve only once every worker has emitted "exit"`,
    ).toBe(0);

    expect(reports.length, `runDryers({ dryers: 3 }) should resolve with 3 reports, one per dryer, not ${reports.length}`).toBe(3);
    const ids = reports.map((report) => report.id);
    expect(new Set(ids).size, `each dryer's report needs its own id; got ids ${list(ids)}`).toBe(3);
    checkOnce(reports, plates);
    for (const report of reports) {
      expect(
        report.dried.length,
        `dryer ${report.id} dried nothing, although all 3 were waiting when 12 dishes came: each blocked dryer should get one ` +
          `(dried per dryer: ${list(reports.map((r) => r.dried.length))})`,
      ).toBeGreaterThan(0);
    }
    const reasons = reports.map((report) => report.reason);
    expect(reasons, 'three quits were pushed for three dryers: each should stop with reason "quit"').toEqual(['quit', 'quit', 'quit']);

    const threads = threadsStarted() - w.threadsBefore;
    expect(threads, `runDryers() started ${threads} worker thread(s) for 3 dryers: each dryer runs in a thread of its own (dryer-worker.ts)`).toBe(3);
    const events = await theirCommands(redis, w);
    const blpops = events.filter((event) => event.command === 'BLPOP');
    const connections = new Set(blpops.map((event) => event.addr)).size;
    expect(connections, `your dryers sent BLPOP over ${connections} connection(s): each of the 3 needs its own, from connect() in its thread`).toBe(3);
    expect(blpops.length, `your dryers sent ${blpops.length} BLPOP for 12 dishes and 3 quits: one per item is enough`).toBe(15);

    let open = await theirClients(redis);
    for (let tries = 0; open.length > 0 && tries < 50; tries++) {
      await pause(20);
      open = await theirClients(redis);
    }
    expect(
      open.map((client) => client.client),
      'these dryer connections were still open after runDryers() resolved: each dryer should close its connection (await conn.quit()) before its thread ends',
    ).toEqual([]);
  });

  test('three dryers dry work-bound dishes much faster than one', async ({ redis }) => {
    // One dryer on "pots" and three on "pans", at the same time: the same 12 dishes of 30 ms each
    // (360 ms of work). Judged by Redis's clock, from the push to the last BLPOP on each list (the one
    // that takes the quit, sent when the dryer's last dish is done): starting and ending threads are
    // not drying, and on a busy machine they would blur the measure. Ideally 3x; 1.5x leaves room for
    // late timers.
    const items = dishes(12);
    const w = await watch(redis, { dryers: 4, timeoutSec: 5, pushed: { pots: 13, pans: 15 }, timeouts: false });
    const one = runDryers({ dryers: 1, timeoutSec: 5, workMs: 30, queue: 'pots' });
    const three = runDryers({ dryers: 3, timeoutSec: 5, workMs: 30, queue: 'pans' });
    const both = Promise.all([one, three]).then((runs) => runs.flat());
    both.catch(() => {});
    await allWaiting(redis, both, w);
    await redis.client('washer').multi().rpush('pots', ...items, 'quit').rpush('pans', ...items, ...quits(3)).exec();
    await finished(redis, both, w);
    checkOnce(await one, items);
    checkOnce(await three, items);
    await redis.trace.settle();
    const events = redis.trace.events.slice(w.eventsBefore);
    const pushedAt = events.find((event) => event.client === 'washer' && event.command === 'RPUSH')?.at ?? 0;
    const drained = (queue: string) => Math.max(...events.filter((event) => event.command === 'BLPOP' && !isOurs(event.client) && event.args.includes(queue)).map((event) => event.at)) - pushedAt;
    const took = { one: drained('pots'), three: drained('pans') };
    const speedUp = took.one / took.three;
    expect(
      speedUp,
      `12 dishes of 30 ms were dried ${Math.round(took.one)} ms after the push with 1 dryer and ${Math.round(took.three)} ms with 3 (Redis's clock): ` +
        `a speed-up of ${speedUp.toFixed(1)}x, where close to 3x is possible. The dryers should work at the same time: each in its own thread, ` +
        'each blocking on its own connection, and the work (workMs) of one must not hold up the others.',
    ).toBeGreaterThanOrEqual(1.5);
  });

  test('every dryer stops by timeout when no quit comes, and uses the list it is given', async ({ redis }) => {
    const cups = dishes(6, 'cup');
    await redis.client('washer').rpush('cups', ...cups);
    const w = await watch(redis, { dryers: 2, timeoutSec: 0.25, pushed: { cups: 6 }, timeouts: true });
    const reports = await finished(redis, runDryers({ dryers: 2, timeoutSec: 0.25, workMs: 10, queue: 'cups' }), w);
    const left = await redis.observer.llen(redis.key('cups'));
    expect(left, `runDryers({ queue: 'cups' }) left ${left} of 6 cups in the list "cups": take dishes from the list named by queue`).toBe(0);
    checkOnce(reports, cups);
    expect(
      reports.map((report) => report.reason),
      'no quit was pushed, so every dryer should stop because BLPOP answered null after timeoutSec: reason "timeout"',
    ).toEqual(['timeout', 'timeout']);
  });

  test('one quit stops only one dryer; the other stops by timeout', async ({ redis }) => {
    await redis.client('washer').rpush('dishes', 'quit');
    const w = await watch(redis, { dryers: 2, timeoutSec: 0.25, pushed: { dishes: 1 }, timeouts: true });
    const reports = await finished(redis, runDryers({ dryers: 2, timeoutSec: 0.25, workMs: 10 }), w);
    const stoppedByQuit = reports.filter((report) => report.reason === 'quit').length;
    expect(
      stoppedByQuit,
      `one quit was pushed for 2 dryers, yet ${stoppedByQuit} ended with reason "quit": a quit is for the one dryer that takes it. ` +
        'The other waits out timeoutSec and stops with reason "timeout"; to stop N dryers, push N quits.',
    ).toBe(1);
    expect(reports.map((report) => report.reason).sort(), 'the dryer that got no quit should stop with reason "timeout"').toEqual(['quit', 'timeout']);
    expect(await redis.observer.llen(redis.key('dishes')), 'the quit was taken by a dryer, so the list should be empty at the end').toBe(0);
  });
});

/** Fails at once when runThrottledWorker() settles before it is blocked in BLPOP, and explains polling. */
async function workerBlocked(redis: RedisKit, run: Promise<ThrottleReport>): Promise<void> {
  const early = run.then(
    (report) => {
      throw new Error(`runThrottledWorker() returned ${JSON.stringify(report)} before any job or exit was in the list: it should wait for them in BLPOP`);
    },
    (error: unknown) => {
      throw error;
    },
  );
  const waiting = redis.waitForBlocked(1).catch(async () => {
    await redis.trace.settle();
    const polls = POLLING.map((command) => [command, redis.trace.count(command, 'worker')] as const).filter(([, n]) => n > 0);
    throw new Error(
      polls.length > 0
        ? `your worker never waited inside Redis: it asked ${polls.map(([c, n]) => `${n} times with ${c}`).join(' and ')}. BLPOP lets Redis wake it when a job comes.`
        : `your worker was not blocked in BLPOP while the list was empty. What Redis saw:\n${redis.trace.timeline()}`,
    );
  });
  await Promise.race([early, waiting]);
}

/** Awaits the worker; fails at once when it took exit and then blocked again on the empty list. */
async function workerFinished(redis: RedisKit, run: Promise<ThrottleReport>, queue = 'jobs'): Promise<ThrottleReport> {
  let done = false;
  const result = run.finally(() => {
    done = true;
  });
  const stuck = (async () => {
    while (!done) {
      const blocked = (await redis.clients()).filter((client) => client.blocked);
      if (blocked.length > 0 && (await redis.observer.llen(redis.key(queue))) === 0 && !done) {
        throw new Error('your worker took "exit" from the list and then waited for more: it is blocked in BLPOP on an empty list. On exit, return.');
      }
      await pause(10);
    }
  })();
  stuck.catch(() => {});
  return Promise.race([result, stuck.then(() => result)]);
}

step('03b', () => {
  test('runThrottledWorker() waits in BLPOP, handles jobs in order, one at a time, and returns the counts', async ({ redis }) => {
    const handled: string[] = [];
    let active = 0;
    let most = 0;
    const run = runThrottledWorker(redis.client('worker'), {
      intervalMs: 5,
      refreshMs: 60_000,
      refresh: () => {},
      handle: async (job) => {
        most = Math.max(most, ++active);
        await pause(15);
        handled.push(job);
        active--;
      },
    });
    run.catch(() => {});
    await workerBlocked(redis, run);
    await redis.client('washer').rpush('jobs', 'read', 'write 1', 'write 2', 'exit');
    const report = await workerFinished(redis, run);
    expect(most, `${most} jobs ran at the same time: await handle(job) before you take the next job; the API takes one at a time`).toBe(1);
    expect(handled, 'every job should be handled, in the order it was pushed').toEqual(['read', 'write 1', 'write 2']);
    expect(report, 'runThrottledWorker() should resolve with { handled: 3, refreshes: 1 } (exit is not a job; one refresh before the first)').toEqual({
      handled: 3,
      refreshes: 1,
    });
  });

  test('leaves at least intervalMs between the starts of two jobs', async ({ redis }) => {
    await redis.client('washer').rpush('jobs', ...dishes(6, 'row'), 'exit');
    const starts: number[] = [];
    await workerFinished(
      redis,
      runThrottledWorker(redis.client('worker'), { intervalMs: 50, refreshMs: 60_000, refresh: () => {}, handle: () => void starts.push(performance.now()) }),
    );
    expect(starts.length, 'all 6 jobs should be handled').toBe(6);
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i]! - starts[i - 1]!;
      // Node's timers count whole milliseconds from the event loop's clock, which can lag the real
      // one: a correct sleep of the remaining time may end up to about 2 ms early. That is allowed.
      expect(
        gap,
        `job ${i + 1} started ${gap.toFixed(1)} ms after job ${i}, but the API allows one job per 50 ms (intervalMs): before each job, ` +
          'wait until intervalMs has passed since the previous job started',
      ).toBeGreaterThanOrEqual(48);
    }
  });

  test('spaces the starts, not the pauses: the time a job takes counts toward intervalMs', async ({ redis }) => {
    await redis.client('washer').rpush('jobs', ...dishes(6, 'row'), 'exit');
    const starts: number[] = [];
    const handle = async () => {
      starts.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 40));
    };
    await workerFinished(redis, runThrottledWorker(redis.client('worker'), { intervalMs: 50, refreshMs: 60_000, refresh: () => {}, handle }));
    expect(starts.length, 'all 6 jobs should be handled').toBe(6);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    expect(
      median,
      `with handle() taking 40 ms and intervalMs 50, jobs started a median ${median.toFixed(0)} ms apart, where 50 is right: ` +
        'you wait intervalMs after each job. The interval is between starts: wait only for what is left of it since the previous ' +
        'job started (the 40 ms the job took count toward it).',
    ).toBeLessThan(75);
  });

  test('refreshes before the first job, then before a job once refreshMs has passed', async ({ redis }) => {
    const refreshMs = 120;
    await redis.client('washer').rpush('jobs', ...dishes(8, 'cell'), 'exit');
    const events: Array<{ kind: 'refresh' | 'start'; at: number }> = [];
    const report = await workerFinished(
      redis,
      runThrottledWorker(redis.client('worker'), {
        intervalMs: 50,
        refreshMs,
        refresh: () => void events.push({ kind: 'refresh', at: performance.now() }),
        handle: () => void events.push({ kind: 'start', at: performance.now() }),
      }),
    );
    const refreshes = events.filter((event) => event.kind === 'refresh').length;
    expect(events[0]?.kind, 'refresh() should be called before the first job: the worker starts with no credentials').toBe('refresh');
    let inForce = events[0]!;
    let fresh: (typeof events)[number] | undefined;
    let job = 0;
    for (const event of events) {
      if (event.kind === 'refresh') {
        fresh = event;
        continue;
      }
      job++;
      const since = event.at - inForce.at;
      if (job > 1 && !fresh) {
        expect(
          since,
          `job ${job} started ${Math.round(since)} ms after the last refresh (refreshMs is ${refreshMs}) with no refresh before it: ` +
            'before each job, check the time since the last refresh and call refresh() first once refreshMs has passed',
        ).toBeLessThan(refreshMs + 3);
      }
      if (job > 1 && fresh) {
        expect(
          since,
          `refresh() was called before job ${job} only ${Math.round(since)} ms after the previous refresh: refresh only once refreshMs (${refreshMs}) has passed`,
        ).toBeGreaterThan(refreshMs - 3);
      }
      if (fresh) inForce = fresh;
      fresh = undefined;
    }
    expect(job, 'all 8 jobs should be handled').toBe(8);
    expect(report.refreshes, `refresh() was called ${refreshes} times, but the report says ${report.refreshes}`).toBe(refreshes);
  });

  test('awaits an async refresh() and handle() before it goes on', async ({ redis }) => {
    await redis.client('washer').rpush('jobs', 'a', 'b', 'c', 'exit');
    const log: string[] = [];
    await workerFinished(
      redis,
      runThrottledWorker(redis.client('worker'), {
        intervalMs: 5,
        refreshMs: 0,
        refresh: async () => {
          log.push('refresh');
          await pause(25);
          log.push('refreshed');
        },
        handle: async (job) => {
          log.push(job);
          await pause(15);
          log.push(`${job} done`);
        },
      }),
    );
    const expected = ['a', 'b', 'c'].flatMap((job) => ['refresh', 'refreshed', job, `${job} done`]);
    const early = log.findIndex((entry, i) => entry !== expected[i]);
    expect(
      log,
      early >= 0 && expected[early] === 'refreshed'
        ? `"${log[early]}" began before refresh() had finished: await refresh(), so no job runs on stale credentials`
        : 'with refreshMs 0, each job waits for its refresh() to finish, and the next refresh waits for the job: await both',
    ).toEqual(expected);
  });

  test('exit ends the worker and leaves the jobs after it in the list', async ({ redis }) => {
    const handled: string[] = [];
    const run = runThrottledWorker(redis.client('worker'), { intervalMs: 1, refreshMs: 60_000, refresh: () => {}, handle: (job) => void handled.push(job) });
    run.catch(() => {});
    await workerBlocked(redis, run);
    await redis.client('washer').rpush('jobs', 'a', 'b', 'exit', 'c', 'd');
    const report = await workerFinished(redis, run);
    expect(handled, '"exit" ends the worker: the jobs before it are handled, the ones after it are not').toEqual(['a', 'b']);
    expect(report.handled, 'the report should count the 2 jobs handled before exit').toBe(2);
    const left = await redis.observer.lrange(redis.key('jobs'), 0, -1);
    const lost = ['c', 'd'].filter((job) => !left.includes(job));
    expect(
      left,
      `after exit the list should still hold c, d for the next worker, but it holds ${list(left)}: your worker popped ${list(lost)} ` +
        'after it had taken exit, and that job is lost. Stop as soon as you pop exit, before you ask Redis for anything else.',
    ).toEqual(['c', 'd']);
  });
  test('reports the backlog (LLEN) right after taking each job', async ({ redis }) => {
    await redis.client('washer').rpush('jobs', 'a', 'b', 'c', 'exit');
    const backlog: number[] = [];
    await workerFinished(
      redis,
      runThrottledWorker(redis.client('worker'), {
        intervalMs: 1,
        refreshMs: 60_000,
        refresh: () => {},
        handle: () => {},
        onBacklog: (waiting) => void backlog.push(waiting),
      }),
    );
    const oneShort = backlog.length === 3 && backlog.every((n, i) => n === 2 - i);
    expect(
      backlog,
      `onBacklog got ${list(backlog)}, but right after taking each of the 3 jobs the list held 3, 2, 1 (the jobs behind it, and exit): ` +
        (oneShort ? 'your worker had already popped the next job when it asked; take a job only once the one before is done' : 'call LLEN after BLPOP, once per job'),
    ).toEqual([3, 2, 1]);
  });

});
