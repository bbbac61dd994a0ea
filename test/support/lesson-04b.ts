/** What the checks of step 04b share: a listener started and awaited, its thread, its connections, and the waits that explain themselves. */
import { StatusListener } from '#target/04-pubsub-status/status-listener.ts';
import { Status } from '#target/04-pubsub-status/status.ts';
import { name } from './lesson-04.ts';
import { liveThreads } from './threads.ts';
import { pause } from './waits.ts';
import type { ClientInfo, RedisKit } from './workshop-test.ts';

/** Names of the connections the checks make themselves; any other client of a check is the listener's. */
export const OURS = ['publisher', 'consumer-1', 'consumer-2'];
export const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks this thread until `check()` is true or `ms` have passed: meanwhile no event and no message
 * from a worker can be handled here, so only shared memory can change what `check()` sees.
 */
export function blockUntil(check: () => boolean, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    Atomics.wait(nap, 0, 0, 1);
  }
  return true;
}

export const listenerThreads = () => liveThreads().filter((thread) => thread.file === 'status-worker.ts');

/** The listener's connections: this check's clients that the check did not open itself. */
export async function listenerConnections(redis: RedisKit): Promise<ClientInfo[]> {
  return (await redis.clients()).filter((connection) => !OURS.includes(connection.client));
}

/** How many of the listener's connections are subscribed. */
export async function subscribed(redis: RedisKit): Promise<number> {
  return (await listenerConnections(redis)).filter((connection) => connection.channels > 0).length;
}

/** PUBSUB NUMSUB, once, at the end of a check. */
export async function numsub(redis: RedisKit, channel: string): Promise<number> {
  const [, count] = (await redis.observer.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

export function listen(channel: string): { listener: StatusListener; received: string[] } {
  const received: string[] = [];
  const listener = new StatusListener(channel, { onMessage: (message) => received.push(message) });
  return { listener, received };
}

/**
 * Awaits `ready`. When Redis has confirmed the subscription but `ready` stays pending, or the
 * listener never subscribes, or its thread ends first, says so at once instead of waiting out the time limit.
 */
export async function readied(redis: RedisKit, listener: StatusListener, channel: string, subscribers = 1): Promise<void> {
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
export async function reaches(listener: StatusListener, want: number, why: string, ms = 3000): Promise<void> {
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
export async function flushed(publisher: ReturnType<RedisKit['client']>, channel: string, received: string[] | string[][], marker: string): Promise<void> {
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
export async function ended(redis: RedisKit, listener: StatusListener): Promise<void> {
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
export async function disconnected(redis: RedisKit): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const open = (await listenerConnections(redis)).map((connection) => connection.client);
    if (open.length === 0 || Date.now() > deadline) return open;
    await pause(10);
  }
}

/** How `promise` settled within `ms`: 'resolved', 'rejected: <message>' or 'pending'. Leaves no timer behind. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  const outcome = promise.then(
    () => 'resolved',
    (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}

