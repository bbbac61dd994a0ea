/** Lesson 04, step 04b: StatusListener. Loaded by test/04-pubsub-status.test.ts. */
import { StatusListener } from '#target/04-pubsub-status/status-listener.ts';
import { Status } from '#target/04-pubsub-status/status.ts';
import { drawn, fc, shown } from './draw.ts';
import { attempt, name } from './lesson-04.ts';
import { describeLeft, watchResources } from './leftovers.ts';
import { threadsStarted } from './threads.ts';
import { pause } from './waits.ts';
import { expect, step, test } from './workshop-test.ts';
import { blockUntil, disconnected, ended, flushed, listen, listenerThreads, numsub, reaches, readied, settledWithin } from './lesson-04b.ts';

step('04b', () => {
  test('ready resolves once Redis has confirmed the subscription: a PUBLISH right after it reaches the listener', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    await publisher.ping();
    const { listener } = listen(channel);
    await readied(redis, listener, channel);
    const reached = await publisher.publish(channel, 'hello');
    expect(
      reached,
      'PUBLISH right after `ready` reached 0 subscribers: `ready` resolved before Redis had confirmed the subscription, so a message ' +
        "published then is lost. Resolve it only once the worker's `await conn.subscribe(channel)` has returned (not on 'online', not when the worker starts)",
    ).toBe(1);
    expect(
      listener.status,
      `right after \`ready\` the status should be READY (the worker moves INIT to READY once it is subscribed), got ${name(listener.status)}`,
    ).toBe(Status.READY);
    expect(
      listenerThreads().length,
      'StatusListener should listen in a worker thread started from status-worker.ts: a subscribed connection can only wait for ' +
        'messages, like listen() in the Python article, so it gets a thread (and a connection) of its own',
    ).toBe(1);
    await redis.trace.settle();
    const subscribers = redis.trace.commands({ command: 'SUBSCRIBE' }).filter((event) => event.args.includes('machine'));
    expect(subscribers.length, `your listener should SUBSCRIBE to the channel once. What Redis saw:\n${redis.trace.timeline()}`).toBe(1);
  });

  test('a message published before the listener has subscribed is gone', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    expect(await publisher.publish(channel, 'start'), 'nobody listens yet, so PUBLISH reaches nobody').toBe(0);
    const { listener, received } = listen(channel);
    expect(
      listener.status,
      `right after new StatusListener() the status should be INIT: nothing is subscribed yet. Got ${name(listener.status)}`,
    ).toBe(Status.INIT);
    await readied(redis, listener, channel);
    await flushed(publisher, channel, received, 'hello');
    expect(
      listener.status,
      `the "start" published before the listener subscribed must be lost: Redis keeps no pub/sub message for later (a list would). ` +
        `So the status should be READY, got ${name(listener.status)}`,
    ).toBe(Status.READY);
    expect(received, 'onMessage should have got "hello" and nothing else').toEqual(['hello']);
  });

  test('a status word changes .status through shared memory: it shows while this thread is busy', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    await publisher.ping();
    const { listener, received } = listen(channel);
    await readied(redis, listener, channel);
    // Counts what the worker posts to this thread, to show that a status word needs no message.
    let posted = 0;
    const count = () => posted++;
    listenerThreads()[0]?.worker.on('message', count);
    // ioredis writes the PUBLISH to the socket at once; then this thread blocks, so from here on no event
    // and no message from the worker can be handled here: only shared memory can change what status shows.
    const reached = publisher.publish(channel, 'start');
    const seen = blockUntil(() => listener.status === Status.RUNNING, 3000);
    const statusSeen = listener.status;
    expect(await reached, 'PUBLISH "start" should reach your listener').toBe(1);
    expect(
      seen,
      `"start" was published, and for 3 s, while this thread was busy, listener.status stayed ${name(statusSeen)}. A status that ` +
        'the worker posts (postMessage) only arrives when the parent is free to handle messages. Keep it in shared memory instead: ' +
        'the worker writes it with Atomics.store into a SharedArrayBuffer, and the status getter reads it with Atomics.load',
    ).toBe(true);
    await flushed(publisher, channel, received, 'tick');
    listenerThreads()[0]?.worker.off('message', count);
    expect(received, 'status words change the status; they are not passed to onMessage (and no message to the parent is needed for them)').toEqual([
      'tick',
    ]);
    expect(
      posted,
      `your worker posted ${posted} messages to this thread for "start" and "tick"; only "tick" needs one (for onMessage). ` +
        'The status lives in shared memory, so a status word needs no message',
    ).toBe(1);
  });

  test('other messages reach onMessage, in order and unchanged; status words do not', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    const { listener, received } = listen(channel);
    await readied(redis, listener, channel);
    const notice = 'お知らせ: 15時に点検 🍰';
    for (const message of ['hello', 'start', notice, 'pause', 'START']) await publisher.publish(channel, message);
    await flushed(publisher, channel, received, 'tick');
    expect(
      received,
      'onMessage should get every message that is not a status word, in the order published and exactly as published ' +
        '("START" is no status word: the words are lower case)',
    ).toEqual(['hello', notice, 'START', 'tick']);
    expect(listener.status, `"start" then "pause" should leave the listener PAUSED, got ${name(listener.status)}`).toBe(Status.PAUSED);
  });

  test('without onMessage, other messages are dropped and status words still work', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    const thrown: unknown[] = [];
    const record = (error: unknown) => void thrown.push(error);
    process.on('uncaughtException', record);
    try {
      const listener = new StatusListener(channel);
      await readied(redis, listener, channel);
      for (const message of ['hello', 'start']) await publisher.publish(channel, message);
      await reaches(listener, Status.RUNNING, 'after "hello" then "start", with no onMessage given');
      // "hello" was posted to this thread before the status moved; give its delivery a few turns of the event loop.
      for (let turn = 0; turn < 20 && thrown.length === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
      const kind = thrown.length > 0 ? ((thrown[0] as Error).name ?? 'an error') : '';
      expect(
        thrown.length,
        `with no onMessage given (it is optional), a plain message threw ${kind} in this thread: call it only when there is one (onMessage?.(message))`,
      ).toBe(0);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  test('moves that are not allowed from the current status are ignored', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    const { listener, received } = listen(channel);
    await readied(redis, listener, channel);
    const ignored = async (words: string[], expected: number, tick: string) => {
      for (const word of words) await publisher.publish(channel, word);
      await flushed(publisher, channel, received, tick);
      expect(
        listener.status,
        `after ${words.map((word) => `"${word}"`).join(', ')} the listener should still be ${name(expected)}, got ${name(listener.status)}: ` +
          `those moves are not in the table from ${name(expected)}, so they must be ignored. Let transition() decide every move`,
      ).toBe(expected);
    };
    await ignored(['pause', 'ready', 'resume'], Status.READY, 'tick-1');
    await publisher.publish(channel, 'start');
    await reaches(listener, Status.RUNNING, 'after "start"');
    await ignored(['start', 'resume', 'ready'], Status.RUNNING, 'tick-2');
    await publisher.publish(channel, 'pause');
    await reaches(listener, Status.PAUSED, 'after "pause"');
    await ignored(['pause', 'start', 'ready'], Status.PAUSED, 'tick-3');
    await publisher.publish(channel, 'resume');
    await reaches(listener, Status.RUNNING, 'after "resume"');
  });

  test('any run of messages: status words move .status as the table says, everything else reaches onMessage as it was sent (drawn)', async ({ redis }) => {
    // The checks' own table, not the learner's transition(): READY after the subscription.
    const MOVES: Record<number, Record<string, number>> = {
      [Status.READY]: { start: Status.RUNNING },
      [Status.RUNNING]: { pause: Status.PAUSED },
      [Status.PAUSED]: { resume: Status.RUNNING },
    };
    const words = fc.constantFrom('ready', 'start', 'pause', 'resume');
    const lookalikes = fc.constantFrom('Start', ' pause', 'resume\n', 'ready.', 'END', 'stop', 'start start', '');
    const COMMANDS = ['ready', 'start', 'pause', 'resume', 'end'];
    const other = fc.string({ maxLength: 6 }).filter((text) => !COMMANDS.includes(text));
    const messages = fc.array(fc.oneof(words, words, lookalikes, other), { minLength: 1, maxLength: 10 });
    const publisher = redis.client('publisher');
    let round = 0;
    await drawn(messages, { name: '04b messages', runs: 3, examples: [['start', 'Start', 'pause', 'resume\n', 'resume']], budgetMs: 2500, describe: (sent) => `with ${sent.map(shown).join(', ')} published in that order` }, async (sent) => {
      const channel = redis.key(`machine-${++round}`);
      const { listener, received } = listen(channel);
      try {
        await readied(redis, listener, channel);
        let status: number = Status.READY;
        const plain: string[] = [];
        for (const message of sent) {
          await publisher.publish(channel, message);
          if (COMMANDS.includes(message)) status = MOVES[status]?.[message] ?? status;
          else plain.push(message);
        }
        const marker = `flush-${round}-of-the-check`;
        await flushed(publisher, channel, received, marker);
        expect(
          received,
          'onMessage should get every message that is not exactly a status word (lower case, nothing around it), in the order published and unchanged',
        ).toEqual([...plain, marker]);
        expect(listener.status, `the status words among them should leave the listener ${name(status)}, as the table says; it was ${name(listener.status)}`).toBe(status);
      } finally {
        await listener.close().catch(() => {});
      }
    });
  });

  test('two listeners on different channels keep their own status and their own messages; closing one leaves the other listening', async ({ redis }) => {
    const [washer, dryer] = [redis.key('washer'), redis.key('dryer')];
    const publisher = redis.client('publisher');
    const a = listen(washer);
    await readied(redis, a.listener, washer);
    const b = listen(dryer);
    const shared =
      'two StatusListeners shared their status. Keep it in the instance: a SharedArrayBuffer made in the constructor, one per listener, not one at module level';
    expect(a.listener.status, `making a second StatusListener changed the first one's status from READY to ${name(a.listener.status)}: ${shared}`).toBe(Status.READY);
    await readied(redis, b.listener, dryer, 2);
    expect(await publisher.publish(washer, 'start'), 'PUBLISH "start" on the first channel should reach the first listener').toBe(1);
    await reaches(a.listener, Status.RUNNING, 'after "start" on its channel');
    await flushed(publisher, dryer, b.received, 'tick');
    expect(
      b.listener.status,
      `"start" went to the first listener's channel only, yet the second listener's status became ${name(b.listener.status)}: ${shared}`,
    ).toBe(Status.READY);
    await publisher.publish(washer, 'tock');
    const deadline = Date.now() + 3000;
    while (![...a.received, ...b.received].includes('tock') && Date.now() < deadline) await pause(5);
    expect(
      [a.received, b.received],
      '"tick" was published to the second listener\'s channel and "tock" to the first\'s: each onMessage should get its own channel\'s message. ' +
        'Two StatusListeners shared their onMessage: keep it in the instance, not at module level',
    ).toEqual([['tock'], ['tick']]);
    await settledWithin(a.listener.close(), 3000);
    expect(
      await publisher.publish(dryer, 'start'),
      'after close() of the first listener, a PUBLISH on the second one\'s channel reached nobody: closing one StatusListener ended the other. ' +
        'Keep the worker (and the connection it holds) in the instance, not at module level',
    ).toBe(1);
    await reaches(b.listener, Status.RUNNING, 'after close() of the first listener and "start" on the second one\'s channel, the second');
    expect(a.listener.status, `the first listener was closed while RUNNING and should stay RUNNING, got ${name(a.listener.status)}`).toBe(Status.RUNNING);
  });

  test('every listener gets every message, where a list gives each item to one consumer', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    const a = listen(channel);
    const b = listen(channel);
    await Promise.all([readied(redis, a.listener, channel, 2), readied(redis, b.listener, channel, 2)]);
    expect(await publisher.publish(channel, 'start'), 'PUBLISH answers how many subscribers it reached: two listeners on one channel make 2').toBe(2);
    await reaches(a.listener, Status.RUNNING, 'after "start" to both listeners, the first');
    await reaches(b.listener, Status.RUNNING, 'after "start" to both listeners, the second');
    await flushed(publisher, channel, [a.received, b.received], 'tick');
    await flushed(publisher, channel, [a.received, b.received], 'tock');
    expect([a.received, b.received], 'each listener should get every plain message').toEqual([
      ['tick', 'tock'],
      ['tick', 'tock'],
    ]);

    // The contrast, with a list: two consumers blocked in BLPOP on one list, two items pushed.
    const consumers = [redis.client('consumer-1'), redis.client('consumer-2')];
    const takes = consumers.map((consumer) => consumer.blpop('jobs', 5));
    await redis.waitForBlocked(2);
    await publisher.rpush('jobs', 'job-1', 'job-2');
    const got = (await Promise.all(takes)).map((popped) => popped?.[1]);
    expect(
      [...got].sort(),
      'a list hands each item to exactly one consumer: two BLPOP consumers on one list share two jobs, one each. ' +
        'Pub/sub is the opposite: every subscriber gets a copy of every message, as both listeners did above',
    ).toEqual(['job-1', 'job-2']);
  });

  test('"end" unsubscribes, closes the connection and ends the thread; then done resolves', async ({ redis }) => {
    const channel = redis.key('machine');
    const publisher = redis.client('publisher');
    await publisher.ping();
    const watch = watchResources();
    const { listener } = listen(channel);
    await readied(redis, listener, channel);
    await publisher.publish(channel, 'start');
    await reaches(listener, Status.RUNNING, 'after "start"');
    expect(await publisher.publish(channel, 'end'), 'PUBLISH "end" should reach your listener').toBe(1);
    await ended(redis, listener);
    expect(
      listenerThreads().length,
      "`done` resolved while the listener's thread was still running: resolve it on the worker's 'exit' event, not on a message it sends before",
    ).toBe(0);
    expect(listener.status, `the status should stay END once the thread is gone (shared memory outlives it), got ${name(listener.status)}`).toBe(
      Status.END,
    );
    await redis.trace.settle();
    const subscriber = redis.trace.commands({ command: 'SUBSCRIBE' }).find((event) => event.args.includes('machine'))?.client ?? '(nobody)';
    expect(
      redis.trace.count('UNSUBSCRIBE', subscriber),
      `on END your listener (${subscriber}) should send UNSUBSCRIBE before it closes: it leaves the channel on purpose, and takes the ` +
        `connection out of subscriber mode. What Redis saw:\n${redis.trace.timeline()}`,
    ).toBeGreaterThan(0);
    expect(await numsub(redis, channel), 'nothing should be subscribed to the channel after END').toBe(0);
    const open = await disconnected(redis);
    expect(open, `after \`done\`, your listener's connection (${open.join(', ')}) was still open: quit() it on END`).toEqual([]);
    const left = await watch.left();
    expect(
      describeLeft(left),
      `after \`done\`, your listener left ${describeLeft(left)} in this thread, as Node reported 1 s later. ` +
        'Clear every timer it started (clearTimeout, clearInterval) once it has done its work, at the latest when the thread exits',
    ).toBe('nothing');
    expect(await publisher.publish(channel, 'start'), 'after END, a PUBLISH should reach nobody').toBe(0);
  });

  test('close() ends the thread and its connection from the parent, without "end"', async ({ redis }) => {
    const channel = redis.key('machine');
    const watch = watchResources();
    const { listener } = listen(channel);
    await readied(redis, listener, channel);
    const closing = await settledWithin(listener.close(), 3000);
    expect(
      closing,
      closing === 'pending'
        ? 'close() should end the thread at once (worker.terminate()) and resolve; it was still pending 3 s later'
        : `close() ${closing}. Ending the thread was asked for, so close() and \`done\` should resolve, not reject`,
    ).toBe('resolved');
    expect(listenerThreads().length, "after close() resolved, the listener's thread was still running: await worker.terminate()").toBe(0);
    const done = (await settledWithin(listener.done, 1000)).replace(/:.*/, '');
    expect(done, `after close(), \`done\` was ${done}. Ending the thread was asked for, so close() and \`done\` should resolve, not reject`).toBe('resolved');
    const open = await disconnected(redis);
    expect(open, `after close(), your listener's connection (${open.join(', ')}) was still open`).toEqual([]);
    expect(await numsub(redis, channel), 'nothing should be subscribed to the channel after close()').toBe(0);
    const left = await watch.left();
    expect(
      describeLeft(left),
      `after close(), your listener left ${describeLeft(left)} in this thread, as Node reported 1 s later: ` +
        'a timer your close() or your listener started was still pending. Clear it (clearTimeout, clearInterval) before close() resolves',
    ).toBe('nothing');
  });

  test('close() before the subscription: ready rejects, as the thread ended first, and done resolves', async ({ redis }) => {
    const channel = redis.key('machine');
    const { listener } = listen(channel);
    const closing = await settledWithin(listener.close(), 3000);
    expect(closing, `close() right after new StatusListener() should end the thread and resolve; it ${closing}`).toBe('resolved');
    const ready = await settledWithin(listener.ready, 2000);
    expect(
      ready.replace(/:.*/, ''),
      ready === 'pending'
        ? '`ready` was still pending 2 s after the thread had ended without subscribing: whoever awaits it would wait for ever. ' +
            "Reject it on the worker's 'exit' when that comes before its { type: 'ready' }"
        : `\`ready\` ${ready}, but the thread ended before it had subscribed: reject it on the worker's 'exit' when that comes first`,
    ).toBe('rejected');
    expect((await settledWithin(listener.done, 1000)).replace(/:.*/, ''), 'close() was asked for, so `done` should resolve').toBe('resolved');
    expect(await numsub(redis, channel), 'nothing should be subscribed to the channel after close()').toBe(0);
  });

  test('new StatusListener() checks its channel before it starts a thread', () => {
    const before = threadsStarted();
    for (const bad of ['', 42, undefined]) {
      const { error, outcome } = attempt(() => new StatusListener(bad as string));
      expect(
        error instanceof TypeError && /channel/.test(error.message),
        `new StatusListener(${JSON.stringify(bad) ?? 'undefined'}) should throw a TypeError that names \`channel\`, not ${outcome}`,
      ).toBe(true);
    }
    expect(threadsStarted() - before, 'check the channel before you start the worker: a bad argument should start no thread').toBe(0);
  });
});
