/** Lesson 03, step 03a: runDryers(). Loaded by test/03-many-dryers.test.ts. */
import { runDryers, type DryerReport } from '#target/03-many-dryers/dryers.ts';
import { openConnections } from '../../workshop/redis.ts';
import { drawn, fc } from './draw.ts';
import { dishes, list, pause, POLLING } from './lesson-03.ts';
import { liveThreads, threadsStarted } from './threads.ts';
import type { TraceEvent } from './trace.ts';
import { expect, step, test, type RedisKit } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { dryersProbe } from './contract/lesson-03.ts';

/** The checks' own connections in 03a; every other client of a check is the learner's. */
const OURS = ['washer'];

const quits = (n: number) => Array.from({ length: n }, () => 'quit');
const isOurs = (client: string) => OURS.some((name) => client === name || client.startsWith(`${name}#`));
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
    expect(
      [...ids].sort((a, b) => a - b),
      `the reports' ids were ${list(ids)}: number the dryers 1 to 3 (1 for the first dryer, as DryerReport says), the id each thread gets in its DryerJob`,
    ).toEqual([1, 2, 3]);
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

  test('every dryer stops by timeout when no quit comes, and uses the list it is given (drawn)', async ({ redis }) => {
    const config = fc.record({ dryers: fc.integer({ min: 1, max: 3 }), cups: fc.integer({ min: 0, max: 6 }), queue: fc.constantFrom('cups', 'dishes:late', 'tassen-☕', 'q') });
    const examples = [{ dryers: 2, cups: 6, queue: 'cups' }];
    const describe = ({ dryers, cups, queue }: (typeof examples)[number]) => `with ${cups} dish(es) in "${queue}" and runDryers({ dryers: ${dryers}, queue: ${JSON.stringify(queue)} })`;
    await drawn(config, { name: '03a timeout', runs: 2, examples, budgetMs: 3000, describe }, async ({ dryers, cups: count, queue }) => {
      const cups = dishes(count, 'cup');
      if (count > 0) await redis.client('washer').rpush(queue, ...cups);
      const w = await watch(redis, { dryers, timeoutSec: 0.25, pushed: { [queue]: count }, timeouts: true });
      const reports = await finished(redis, runDryers({ dryers, timeoutSec: 0.25, workMs: 10, queue }), w);
      const left = await redis.observer.llen(redis.key(queue));
      expect(left, `runDryers({ queue: ${JSON.stringify(queue)} }) left ${left} of ${count} dishes in that list: take dishes from the list named by queue`).toBe(0);
      checkOnce(reports, cups);
      expect(reports.length, `runDryers({ dryers: ${dryers} }) should resolve with ${dryers} report(s), one per dryer, not ${reports.length}`).toBe(dryers);
      expect(
        reports.map((report) => report.reason),
        'no quit was pushed, so every dryer should stop because BLPOP answered null after timeoutSec: reason "timeout"',
      ).toEqual(reports.map(() => 'timeout'));
    });
  });

  test('a dryer whose thread fails makes runDryers() reject with its error, once every dryer thread has ended', async ({ redis }) => {
    // Both dryers block; one takes the only dish and dries it for 150 ms. Meanwhile the list becomes
    // a string, so that dryer's next BLPOP fails (WRONGTYPE) while the other is still blocked until
    // its 0.6 s timeout: a runDryers() that rejects at the first failure leaves that one running.
    const w = await watch(redis, { dryers: 2, timeoutSec: 0.6, pushed: { dishes: 1 }, timeouts: false });
    const run = runDryers({ dryers: 2, timeoutSec: 0.6, workMs: 150 });
    let atEnd: { threads: number; clients: number } | undefined;
    const outcome = run.then(
      (reports) => ({ reports }),
      async (error: unknown) => {
        atEnd = { threads: liveThreads().length, clients: 0 };
        atEnd.clients = (await theirClients(redis)).length;
        return { error };
      },
    );
    await allWaiting(redis, run, w);
    const washer = redis.client('washer');
    await washer.rpush('dishes', 'plate-01');
    await washer.set('dishes', 'not a list');
    // Every thread ends within a second; then runDryers() has half a second more to settle.
    const ended = (async () => {
      for (const deadline = Date.now() + 3000; liveThreads().length > 0 && Date.now() < deadline; ) await pause(20);
      await pause(500);
      return { never: liveThreads().length } as const;
    })();
    const settled = await Promise.race([outcome, ended]);
    if ('never' in settled) {
      throw new Error(
        settled.never === 0
          ? "runDryers() never settled, although every dryer thread had ended, one of them with an error (WRONGTYPE from BLPOP): listen for 'error' " +
              "and 'exit' too, not only for the report, and reject when a thread fails."
          : `runDryers() had not settled 3 s after a dryer's BLPOP failed, and ${settled.never} dryer thread(s) were still running: a dryer whose BLPOP ` +
              "throws should close its connection (try/finally) so that its thread ends with the error, and runDryers() should then reject.",
      );
    }
    if ('reports' in settled) {
      throw new Error(
        `runDryers() resolved with ${JSON.stringify(settled.reports)}, although a dryer's BLPOP failed (WRONGTYPE: the list had become a string) and its thread ` +
          "ended with that error: when a thread emits 'error', or exits without posting its report, runDryers() should reject.",
      );
    }
    const error = settled.error instanceof Error ? settled.error : new Error(String(settled.error));
    const cause = error.cause instanceof Error ? error.cause.message : '';
    expect(
      `${error.message} ${cause}`,
      `runDryers() rejected with "${error.message}": reject with the error the thread emitted ('error'), so that the learner sees what went wrong (here, WRONGTYPE from BLPOP)`,
    ).toMatch(/WRONGTYPE/);
    expect(
      atEnd?.threads,
      `runDryers() rejected while ${atEnd?.threads} dryer thread(s) were still running (one was still blocked in BLPOP): wait until every thread has exited ` +
        '(Promise.allSettled, not Promise.all), then reject with the failure',
    ).toBe(0);
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

  contractChecks('03a', dryersProbe);
});
