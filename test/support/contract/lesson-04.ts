/** Lesson 04's probes for the contract checks (checks.ts): a walk through transition(), one StatusListener to its end. */
import { Status, transition } from '#target/04-pubsub-status/status.ts';
import { StatusListener } from '#target/04-pubsub-status/status-listener.ts';
import { name } from '../lesson-04.ts';
import { until, within } from '../waits.ts';
import type { Probe } from './checks.ts';

/** Words and the status each leads to from the one before, by the README's table (ignored words leave it). */
const WALK: Array<[string, number]> = [
  ['start', Status.INIT],
  ['ready', Status.READY],
  ['resume', Status.READY],
  ['start', Status.RUNNING],
  ['pause', Status.PAUSED],
  ['toString', Status.PAUSED],
  ['resume', Status.RUNNING],
  ['end', Status.END],
  ['ready', Status.END],
];

export const transitionProbe: Probe = {
  redis: false,
  subject: 'transition()',
  done: 'transition() returned',
  async run() {
    let status: Status = Status.INIT;
    for (const [word, want] of WALK) {
      const from = status;
      status = transition(status, word);
      if (status !== want) throw new Error(`transition(${name(from)}, ${JSON.stringify(word)}) returned ${name(status)}, where the table says ${name(want)}`);
      // Another walk may take its turn here: the answer must depend on the arguments alone.
      await new Promise((resolve) => setImmediate(resolve));
    }
  },
};

export const listenerProbe: Probe = {
  redis: true,
  subject: 'a StatusListener',
  done: 'done resolved',
  async run({ given, effective, tag, redis, helper }) {
    // Channels are not keys: the check's prefix keeps them apart from any other run on the server.
    const channel = `${redis.prefix}${String(effective.channel)}`;
    const received: string[] = [];
    const listener = 'onMessage' in given ? new StatusListener(channel, { onMessage: (message) => void received.push(message) }) : new StatusListener(channel);
    listener.done.catch(() => {});
    await within(listener.ready, 3000, () => `ready had not resolved 3 s after new StatusListener(${JSON.stringify(channel)})`);
    const publisher = helper('publisher');
    const heard = await publisher.publish(channel, `hello-${tag}`);
    if (heard !== 1) throw new Error(`a PUBLISH on ${JSON.stringify(channel)} right after ready reached ${heard} subscriber(s): the listener must be subscribed to the channel it was given once ready resolves`);
    await publisher.publish(channel, 'ready');
    await publisher.publish(channel, 'start');
    await until(() => listener.status === Status.RUNNING, 2000, () => `after "ready" and "start" on ${JSON.stringify(channel)}, .status was ${name(listener.status)}, not RUNNING`);
    await publisher.publish(channel, 'end');
    await within(listener.done, 3000, () => `done had not resolved 3 s after "end" was published on ${JSON.stringify(channel)}`);
    if (listener.status !== Status.END) throw new Error(`once done resolved, .status was ${name(listener.status)}, not END`);
    if ('onMessage' in given && received.join() !== `hello-${tag}`) throw new Error(`onMessage got ${JSON.stringify(received)}: only the message that is not a status word, ${JSON.stringify(`hello-${tag}`)}`);
    // Wait for the server to see the unsubscribe: a listener still subscribed after done is a leak.
    await until(async () => Number(((await redis.observer.pubsub('NUMSUB', channel)) as [string, number])[1]) === 0, 1000, () => `once done resolved, ${JSON.stringify(channel)} still had a subscriber: "end" unsubscribes and closes the connection`);
  },
};
