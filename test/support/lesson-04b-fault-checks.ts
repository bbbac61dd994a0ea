/**
 * Lesson 04, step 04b: the listener when its thread fails, ended from outside as a crash would end
 * it (worker.terminate(): exit code 1, no message), and when "end" comes twice. Loaded by
 * test/04-pubsub-status.test.ts after the step's other checks.
 */
import { Status } from '#target/04-pubsub-status/status.ts';
import { name } from './lesson-04.ts';
import { listen, listenerThreads, readied, reaches, settledWithin } from './lesson-04b.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { listenerProbe } from './contract/lesson-04.ts';

/** The thread the newest listener started, once it has started. */
async function threadOf(before: ReadonlySet<unknown>): Promise<ReturnType<typeof listenerThreads>[number]> {
  for (const deadline = Date.now() + 3000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 2))) {
    const thread = listenerThreads().find((candidate) => !before.has(candidate));
    if (thread) return thread;
  }
  throw new Error('new StatusListener() started no thread from status-worker.ts within 3 s');
}

/** Rejections nobody handled while `body` ran, and until the ticks after it have run. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const note = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', note);
  try {
    await body();
    // Node reports a rejection without a handler once the microtasks have run: two turns of the loop is past that.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', note);
  }
  return seen;
}

step('04b', () => {
  test('when its thread fails after subscribing (it ends with exit code 1), done rejects: nobody asked it to end', async ({ redis }) => {
    const channel = redis.key('machine');
    const before = new Set(listenerThreads());
    const { listener } = listen(channel);
    await readied(redis, listener, channel);
    const thread = await threadOf(before);
    await thread.worker.terminate();
    const done = await settledWithin(listener.done, 2000);
    expect(
      done.replace(/:.*/, ''),
      done === 'pending'
        ? "`done` was still pending 2 s after the listener's thread had exited (code 1): settle it on the worker's 'exit'"
        : "`done` resolved, but the listener's thread failed (exit code 1) and nobody had called close(): whoever awaits `done` " +
            "must learn that it failed. Resolve on 'exit' with code 0 or after close(); reject otherwise",
    ).toBe('rejected');
  });

  test('when its thread fails before subscribing, ready and done reject, and no rejection goes unhandled when nobody awaits them', async ({ redis }) => {
    let outcome = { ready: 'pending', done: 'pending' };
    let unhandled: unknown[] = [];
    // The thread is ended once it runs (ended before, a thread exits with code 0, as if it had finished)
    // and, nearly always, before it has loaded ioredis and subscribed; when it was quicker, again.
    for (let attempt = 1; attempt <= 5 && outcome.ready !== 'rejected'; attempt++) {
      const channel = redis.key(`machine-${attempt}`);
      const before = new Set(listenerThreads());
      let seen: ReturnType<typeof listen>['listener'] | undefined;
      unhandled = await unhandledDuring(async () => {
        const { listener } = listen(channel);
        const thread = await threadOf(before);
        while (!thread.online && listenerThreads().includes(thread)) await new Promise((resolve) => setImmediate(resolve));
        // Nobody awaits ready or done, as in a program that only reads .status: the thread's end is
        // waited for on the thread itself, and ready is looked at only once Node has had its turn to
        // report a rejection nobody handled.
        const exited = new Promise((resolve) => thread.worker.once('exit', resolve));
        await thread.worker.terminate();
        await exited;
        seen = listener;
      });
      outcome = { done: await settledWithin(seen!.done, 2000), ready: await settledWithin(seen!.ready, 100) };
      if (unhandled.length > 0) break;
    }
    expect(
      unhandled.map(String),
      "a listener whose thread failed left a rejected promise that nobody handled, and Node ends a program for that: `ready` and `done` are there " +
        'for whoever wants them; give each a .catch(() => {}) of its own where you make them, so that an unawaited one does no harm',
    ).toEqual([]);
    expect(outcome.ready.replace(/:.*/, ''), `\`ready\` ${outcome.ready}, but the thread ended before it had subscribed: reject it on 'exit' when that comes first`).toBe('rejected');
    expect(outcome.done.replace(/:.*/, ''), `\`done\` ${outcome.done}, but the thread failed (exit code 1) without close(): reject it`).toBe('rejected');
  });

  test('"end" twice in a row ends the listener once: done resolves, and the second "end" changes nothing', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    await publisher.ping();
    const { listener } = listen(channel);
    await readied(redis, listener, channel);
    // Both in one round trip: they reach the listener's connection together, before it can unsubscribe.
    await publisher.multi().publish(channel, 'end').publish(channel, 'end').exec();
    await reaches(listener, Status.END, 'after "end"');
    const done = await settledWithin(listener.done, 3000);
    expect(
      done,
      `after "end" came twice, \`done\` ${done}: the listener should end once and ignore the second "end" (END does not move). ` +
        'A status word that leaves the status as it is must do nothing, not unsubscribe and quit a second time',
    ).toBe('resolved');
    expect(listener.status, `the status should stay END, got ${name(listener.status)}`).toBe(Status.END);
  });

  contractChecks('04b', listenerProbe);
});
