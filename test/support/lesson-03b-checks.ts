/** Lesson 03, step 03b: runThrottledWorker(). Loaded by test/03-many-dryers.test.ts. */
import { runThrottledWorker, type ThrottleReport } from '#target/03-many-dryers/throttled-worker.ts';
import { dishes, list, pause, POLLING } from './lesson-03.ts';
import { expect, step, test, type RedisKit } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { throttleProbe } from './contract/lesson-03.ts';

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
    // A ticker on this thread's event loop: a wait that spins (a loop on performance.now()) holds it
    // for the whole interval, five times; a timer leaves it free. One long gap can be the machine's.
    const gaps: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    try {
      await workerFinished(
        redis,
        runThrottledWorker(redis.client('worker'), { intervalMs: 50, refreshMs: 60_000, refresh: () => {}, handle: () => void starts.push(performance.now()) }),
      );
    } finally {
      clearInterval(ticker);
    }
    expect(starts.length, 'all 6 jobs should be handled').toBe(6);
    const held = gaps.filter((gap) => gap >= 35);
    expect(
      held.length,
      `while it waited out intervalMs, your worker held the thread: its event loop stood still ${held.length} times, for ${held.map((gap) => Math.round(gap)).join(', ')} ms. ` +
        'A loop that checks the clock until the time has passed keeps everything else on the thread waiting (other workers, replies from Redis, timers): ' +
        'await a timer for what is left of the interval instead (setTimeout from node:timers/promises).',
    ).toBeLessThan(3);
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

  test('two workers side by side keep their own clock and their own credentials', async ({ redis }) => {
    const intervalMs = 80;
    const washer = redis.client('washer');
    await washer.rpush('jobs-a', ...dishes(5, 'a'), 'exit');
    await washer.rpush('jobs-b', ...dishes(5, 'b'), 'exit');
    const worker = (name: 'a' | 'b') => {
      const events: string[] = [];
      const starts: number[] = [];
      const run = runThrottledWorker(redis.client(`worker-${name}`), {
        queue: `jobs-${name}`,
        intervalMs,
        refreshMs: 60_000,
        refresh: () => void events.push('refresh'),
        handle: () => {
          events.push('job');
          starts.push(performance.now());
        },
      });
      return { events, starts, run };
    };
    const a = worker('a');
    const b = worker('b');
    await Promise.all([workerFinished(redis, a.run, 'jobs-a'), workerFinished(redis, b.run, 'jobs-b')]);
    for (const [name, { events }] of [['first', a], ['second', b]] as const) {
      expect(
        events[0],
        `the ${name} of two workers started side by side took a job before any refresh(): each worker needs credentials of its own, ` +
          'so keep when it last refreshed in the worker (a variable inside runThrottledWorker), not beside it at the top of the module',
      ).toBe('refresh');
    }
    // Each worker spaces its own 5 starts: about 4 intervals for both. One clock for the two spaces
    // all 10 starts, whichever worker gets them: at least 9 intervals from the first to the last.
    const all = [...a.starts, ...b.starts];
    const span = Math.max(...all) - Math.min(...all);
    expect(
      span,
      `with two workers side by side on two lists, each with intervalMs ${intervalMs}, their 10 jobs took ${span.toFixed(0)} ms from the first start to the last, ` +
        `where each worker needs about ${4 * intervalMs}: they share one clock. Keep when the last job started inside runThrottledWorker, not at the top of the module, ` +
        'so each worker spaces only its own jobs',
    ).toBeLessThan(intervalMs * 6.5);
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

  contractChecks('03b', throttleProbe);
});
