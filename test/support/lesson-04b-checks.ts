/** Lesson 04, step 04b: StatusListener. Loaded by test/04-pubsub-status.test.ts. */
import { StatusListener } from '#target/04-pubsub-status/status-listener.ts';
import { Status } from '#target/04-pubsub-status/status.ts';
import { drawn, fc, shown } from './draw.ts';
import { attempt, name } from './lesson-04.ts';
import { describeLeft, watchResources } from './leftovers.ts';
import { liveThreads, threadsStarted } from './threads.ts';
import { pause } from './waits.ts';
import { expect, step, test, type ClientInfo, type RedisKit } from './workshop-test.ts';

/** Names of the connections the checks make themselves; any other client of a check is the listener's. */
const OURS = ['publisher', 'consumer-1', 'consumer-2'];
const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks this thread until `check()` is true or `ms` have passed: meanwhile no event and no message
 * from a worker can be handled here, so only shared memory can change what `check()` sees.
 */
function blockUntil(check: () => boolean, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    Atomics.wait(nap, 0, 0, 1);
  }
  return true;
}

const listenerThreads = () => liveThreads().filter((thread) => thread.file === 'status-worker.ts');

/** The listener's connections: this check's clients that the check did not open itself. */
async function listenerConnections(redis: RedisKit): Promise<ClientInfo[]> {
  return (await redis.clients()).filter((connection) => !OURS.includes(connection.client));
}

/** How many of the listener's connections are subscribed. */
async function subscribed(redis: RedisKit): Promise<number> {
  return (await listenerConnections(redis)).filter((connection) => connection.channels > 0).length;
}

/** PUBSUB NUMSUB, once, at the end of a check. */
async function numsub(redis: RedisKit, channel: string): Promise<number> {
  const [, count] = (await redis.observer.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

function listen(channel: string): { listener: StatusListener; received: string[] } {
  const received: string[] = [];
  const listener = new StatusListener(channel, { onMessage: (message) => received.push(message) });
  return { listener, received };
}

/**
 * Awaits `ready`. When Redis has confirmed the subscription but `ready` stays pending, or the
 * listener never subscribes, or its thread ends first, says so at once instead of waiting out the time limit.
 */
async function readied(redis: RedisKit, listener: StatusListener, channel: string, subscribers = 1): Promise<void> {
  let settled = false;
  const ready = listener.ready.finally(() => (settled = true));
  const stuck = (async () => {
    const started = Date.now();
    let confirmedAt = 0;
    let sawThread = false;
    while (!settled) {
      if (!confirmedAt && (await subscribed(redis)) >= subscribers) confirmedAt = Date.now();
      if (confirmedAt && Date.now() - confirmedAt > 2000) {
        return (
          'Redis confirmed the SUBSCRIBE of your listener (CLIENT LIST shows its connection subscribed), but `ready` was still pending 2 s later. ' +
          'In ioredis the confirmation is the resolved promise of `await conn.subscribe(channel)`: tell the parent right after it. ' +
          'No confirmation arrives as a message (redis-py shows one, ioredis does not).'
        );
      }
      sawThread ||= listenerThreads().length > 0;
      if (sawThread && listenerThreads().length === 0 && !settled) {
        return "The listener's thread ended before `ready` settled: reject `ready` when the worker emits 'exit' or 'error', so the caller learns why.";
      }
      if (Date.now() - started > 4000) {
        return `\`ready\` was still pending 4 s after new StatusListener(), and nothing had subscribed to the channel. Does your worker call \`subscribe(channel)\` on a connection from connect()? What Redis saw:\n${redis.trace.timeline()}`;
      }
      await pause(10);
    }
    return '';
  })();
  const problem = await Promise.race([ready.then(() => ''), stuck]).finally(() => (settled = true));
  if (problem) throw new Error(problem);
}

/** Waits until the listener's status is `want`; `why` says what should have moved it. */
async function reaches(listener: StatusListener, want: number, why: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (listener.status !== want) {
    if (Date.now() > deadline) {
      throw new Error(`${why}, listener.status should become ${name(want)}, but it was still ${name(listener.status)} ${ms / 1000} s later.`);
    }
    await pause(5);
  }
}

/**
 * Publishes a plain message and waits until onMessage has it, in each list of `received` given:
 * every message published before it has then been handled.
 */
async function flushed(publisher: ReturnType<RedisKit['client']>, channel: string, received: string[] | string[][], marker: string): Promise<void> {
  await publisher.publish(channel, marker);
  const lists = Array.isArray(received[0]) ? (received as string[][]) : [received as string[]];
  const deadline = Date.now() + 3000;
  for (const list of lists) {
    while (!list.includes(marker)) {
      if (Date.now() > deadline) {
        throw new Error(
          `"${marker}" was published, but onMessage never got it (it got: ${JSON.stringify(list)}). Every message that is not a status word ` +
            'should reach onMessage: post it from the worker with parentPort.postMessage and call onMessage where the parent receives it.',
        );
      }
      await pause(5);
    }
  }
}

/**
 * Awaits `done` after `end` was published. When it stays pending, says at once what is still
 * holding on: the subscription, the connection, or the thread.
 */
async function ended(redis: RedisKit, listener: StatusListener): Promise<void> {
  let settled = false;
  const done = listener.done.finally(() => (settled = true));
  const stuck = (async () => {
    const deadline = Date.now() + 3000;
    while (!settled && Date.now() < deadline) await pause(10);
    if (settled) return '';
    const status = listener.status;
    if (status !== Status.END) return `After "end" was published, listener.status was ${name(status)}, not END, 3 s later: "end" moves every status but END to END.`;
    const connections = await listenerConnections(redis);
    const still = connections.filter((connection) => connection.channels > 0).map((connection) => connection.client);
    if (still.length > 0) {
      return (
        `The status is END, but 3 s later your listener's connection (${still.join(', ')}) was still subscribed and \`done\` was pending. ` +
        'On END the worker should unsubscribe(channel) and then quit() its connection, so the thread can end.'
      );
    }
    if (connections.length > 0) {
      return (
        `Your listener unsubscribed, but its connection (${connections.map((connection) => connection.client).join(', ')}) was still open 3 s later, and an open connection keeps ` +
        'the thread alive: quit() it after unsubscribe().'
      );
    }
    if (listenerThreads().length > 0) {
      return 'Your listener unsubscribed and closed its connection, but the thread was still running 3 s later: something keeps it alive (a timer, a listener on parentPort).';
    }
    return "The listener's thread has exited, but `done` was still pending: resolve it when the worker emits 'exit'.";
  })();
  const problem = await Promise.race([done.then(() => ''), stuck]).finally(() => (settled = true));
  if (problem) throw new Error(problem);
}

/** Waits (up to 2 s) for the listener's connections to be gone from CLIENT LIST; returns those still there. */
async function disconnected(redis: RedisKit): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const open = (await listenerConnections(redis)).map((connection) => connection.client);
    if (open.length === 0 || Date.now() > deadline) return open;
    await pause(10);
  }
}

/** How `promise` settled within `ms`: 'resolved', 'rejected: <message>' or 'pending'. Leaves no timer behind. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  const outcome = promise.then(
    () => 'resolved',
    (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}

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
