/** Lesson 02's probes for the contract checks (checks.ts): one wash(), one dry(). */
import { dry } from '#target/02-washer-dryer/dryer.ts';
import { wash } from '#target/02-washer-dryer/washer.ts';
import { within } from '../waits.ts';
import type { Probe } from './checks.ts';

const shown = (items: readonly string[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

export const washProbe: Probe = {
  redis: true,
  keys: (effective) => [String(effective.queue)],
  subject: 'wash()',
  done: 'wash() resolved',
  async run({ given, effective, tag, redis, helper }) {
    const queue = String(effective.queue);
    const dishes = [`cup-${tag}`, `плита-${tag}`, `🍰-${tag}`];
    const before = await redis.observer.llen(redis.key(queue));
    await within(wash(helper('washer'), dishes, ...('queue' in given ? [String(given.queue)] : [])), 2000, () => 'wash() had not resolved 2 s after it was called');
    const pushed = await redis.observer.lrange(redis.key(queue), before, -1);
    if (pushed.join('\n') !== [...dishes, 'quit'].join('\n')) {
      const where = 'queue' in given ? `the list it was given, ${JSON.stringify(queue)}` : `"${queue}", the list it uses when none is given`;
      throw new Error(`wash() left ${shown(pushed)} at the tail of ${where}: it must push each dish, in order, then "quit"`);
    }
  },
};

export const dryProbe: Probe = {
  redis: true,
  keys: (effective) => [String(effective.queue)],
  subject: 'dry()',
  done: 'dry() resolved',
  async run({ given, effective, tag, redis, helper }) {
    const queue = String(effective.queue);
    const dishes = [`pot-${tag}`, `茶碗-${tag}`];
    await helper('washer').rpush(queue, ...dishes, 'quit', `after-${tag}`);
    const dried: string[] = [];
    const count = await within(dry(helper('dryer'), (dish) => void dried.push(dish), ...('queue' in given ? [String(given.queue)] : [])), 2000, async () => {
      const left = await redis.observer.lrange(redis.key(queue), 0, -1);
      return `dry() had not resolved 2 s after it was called, with ${shown(left)} still in ${JSON.stringify(queue)}` + ('queue' in given ? ', the list it was given' : ', the list it uses when none is given');
    });
    if (dried.join('\n') !== dishes.join('\n') || count !== dishes.length) {
      throw new Error(`dry() dried ${shown(dried)} and returned ${count}: it must dry ${shown(dishes)} from ${JSON.stringify(queue)}, in order, stop at "quit", and return ${dishes.length}`);
    }
    const rest = await redis.observer.lrange(redis.key(queue), 0, -1);
    if (!rest.includes(`after-${tag}`)) throw new Error(`dry() took ${JSON.stringify(`after-${tag}`)}, which came after "quit": it must stop at quit and leave the rest in the list`);
  },
};
