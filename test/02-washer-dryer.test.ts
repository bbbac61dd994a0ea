import type { Redis } from 'ioredis';
import { dry } from '#target/02-washer-dryer/dryer.ts';
import { wash } from '#target/02-washer-dryer/washer.ts';
import { expect, step, test, type RedisKit } from './support/workshop-test.ts';
import { drawn, fc, shown } from './support/draw.ts';
import { contractChecks } from './support/contract/checks.ts';
import { dryProbe, washProbe } from './support/contract/lesson-02.ts';

const DISHES = ['salad', 'bread', 'entree', 'dessert'];
const FAR_AWAY = ['味噌汁', '饺子', '🍰', 'crème brûlée'];
const POLLING = ['LPOP', 'RPOP', 'LLEN', 'LRANGE', 'LINDEX', 'EXISTS'];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Dish names to draw from: plain, far away, and close to the stop word without being it. */
const dishName = fc.oneof(
  fc.constantFrom('salad', 'bread', 'Quit', 'QUIT', 'quit ', ' quit', 'quitter', 'quit\n', '味噌汁', '🍰', 'crème brûlée', 'null', '0'),
  fc.string({ minLength: 1, maxLength: 8 }).filter((name) => name !== 'quit'),
);
/** A list of dishes and the list's name: what wash() and dry() are called with. */
const kitchen = fc.record({ dishes: fc.array(dishName, { maxLength: 6 }), queue: fc.constantFrom('dishes', 'plates', 'cups:clean', 'tray 2') });
const NEAR_QUIT = [{ dishes: ['Quit', 'quit ', 'quitter'], queue: 'dishes' }];
const withKitchen = ({ dishes, queue }: { dishes: string[]; queue: string }) =>
  `with dishes [${dishes.map(shown).join(', ')}] on the list ${shown(queue)}`;

/**
 * Counts the commands called on a connection, and how many of them have not answered yet. A
 * MULTI or a pipeline counts as what it is: its queued commands are calls, and its exec() is one
 * more reply to wait for.
 */
function watched(conn: Redis): { conn: Redis; calls: string[]; pending: () => number } {
  const calls: string[] = [];
  let pending = 0;
  const track = (result: unknown): unknown => {
    if (result instanceof Promise) {
      pending++;
      return result.finally(() => pending--);
    }
    return result;
  };
  /** A pipeline or MULTI whose queued commands are counted, and whose exec() is awaited like a command. */
  const batch = (inner: object): object =>
    new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof property !== 'string' || typeof value !== 'function') return value;
        if (property === 'exec') return (...args: unknown[]) => track(value.apply(target, args));
        if (!/^[a-z]+$/.test(property)) return value;
        return (...args: unknown[]) => {
          calls.push(property.toUpperCase());
          const result: unknown = value.apply(target, args);
          return result === target ? receiver : result; // chained: keep counting
        };
      },
    });
  const proxy = new Proxy(conn, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !/^[a-z]+$/.test(property)) return value;
      if (property === 'pipeline' || property === 'multi') return (...args: unknown[]) => batch(value.apply(target, args) as object);
      if (['on', 'once', 'off', 'emit', 'duplicate', 'disconnect', 'quit'].includes(property)) {
        return value.bind(target);
      }
      return (...args: unknown[]) => {
        calls.push(property.toUpperCase());
        return track(value.apply(target, args));
      };
    },
  });
  return { conn: proxy, calls, pending: () => pending };
}

/**
 * Awaits a dryer that has been given everything, quit included. If it blocks again on the empty
 * list instead of returning, it missed quit: say so at once instead of waiting out the time limit.
 */
async function finished(redis: RedisKit, run: Promise<number>, queue = 'dishes'): Promise<number> {
  let done = false;
  const result = run.finally(() => {
    done = true;
  });
  const stuck = (async () => {
    while (!done) {
      const blocked = (await redis.clients()).filter((client) => client.blocked);
      if (blocked.length > 0 && (await redis.observer.llen(redis.key(queue))) === 0 && !done) return blocked;
      await pause(10);
    }
    return [];
  })().catch(() => []); // the check may end (time limit) while this still watches
  const outcome = await Promise.race([result.then((count) => ({ count })), stuck.then((blocked) => ({ blocked }))]);
  if ('count' in outcome) return outcome.count;
  if (outcome.blocked.length === 0) return result;
  throw new Error(
    `Your dryer took quit from the list and then waited for more: it is blocked in BLPOP on an empty list. ` +
      `When the dish is "quit", stop the loop and return the count.`,
  );
}

/**
 * Waits until the dryer is blocked in Redis. Fails at once when dry() settles first (it threw,
 * or returned without waiting), and explains a dryer that polls instead of blocking.
 */
async function blocked(redis: RedisKit, run: Promise<number>): Promise<void> {
  const early = run.then(
    (count) => {
      throw new Error(`dry() returned ${count} before any dish or quit was in the list: it should wait for them (BLPOP with timeout 0)`);
    },
    (error: unknown) => {
      throw error;
    },
  );
  const explain = async (): Promise<never> => {
    await redis.trace.settle();
    const polls = POLLING.map((command) => [command, redis.trace.count(command, 'dryer')] as const).filter(([, n]) => n > 0);
    throw new Error(
      polls.length > 0
        ? `Your dryer never waited inside Redis: it kept asking with ${polls.map(([c]) => c).join(' and ')}. ` +
            'BLPOP lets Redis park the dryer and wake it when a dish arrives.'
        : 'Your dryer was not blocked in BLPOP while the list was empty (the Redis commands it sent are below).',
    );
  };
  let settled = false;
  const waiting = redis.waitForBlocked(1).then(() => {
    settled = true;
  }, explain);
  // A polling dryer shows itself within a few dozen commands: no need to wait for the time limit.
  const polling = (async () => {
    while (!settled) {
      if (POLLING.some((command) => redis.trace.count(command, 'dryer') >= 20)) return explain();
      await pause(10);
    }
  })();
  try {
    await Promise.race([early, waiting, polling]);
  } finally {
    settled = true;
  }
}

step('02a', () => {
  test('pushes every dish onto the tail of the list, in order, then quit', async ({ redis }) => {
    const washer = watched(redis.client('washer'));
    await wash(washer.conn, DISHES);
    expect(washer.pending(), `wash() returned while ${washer.pending()} of its pushes were still unanswered: await each RPUSH`).toBe(0);
    const list = await redis.observer.lrange(redis.key('dishes'), 0, -1);
    expect(list.at(-1), `the list ends with "${list.at(-1) ?? '(nothing)'}": it must end with "quit", after the last dish, or the dryer waits for ever`).toBe('quit');
    expect(
      list.slice(0, -1),
      list[0] === 'dessert' || list[1] === 'dessert'
        ? 'the last dish washed is at the head of the list: you pushed on the head (LPUSH). The dryer pops from the head, so push on the tail with RPUSH'
        : `the list holds ${list.join(', ')}: every dish once, in the order washed, then quit`,
    ).toEqual(DISHES);
  });

  test('adds to the tail of a list that already holds dishes', async ({ redis }) => {
    await redis.client().rpush('dishes', 'soup');
    await wash(redis.client('washer'), ['tea', 'cake']);
    const list = await redis.observer.lrange(redis.key('dishes'), 0, -1);
    expect(list, 'the soup already in the list must stay first, your dishes and quit after it (RPUSH, never DEL or LPUSH)').toEqual([
      'soup',
      'tea',
      'cake',
      'quit',
    ]);
  });

  test('with no dishes at all, still pushes quit', async ({ redis }) => {
    await wash(redis.client('washer'), []);
    expect(
      await redis.observer.lrange(redis.key('dishes'), 0, -1),
      'with no dishes at all, your washer left the list empty: quit must still go out, or a dryer waits for ever',
    ).toEqual(['quit']);
  });

  test('reads the dishes once, as they come: any iterable will do', async ({ redis }) => {
    // Like a generator or a stream: it hands out its dishes once, then has nothing left.
    let reads = 0;
    const rack = ['cup', 'saucer'].values();
    const once: Iterable<string> = {
      [Symbol.iterator]: () => {
        reads++;
        return rack;
      },
    };
    await wash(redis.client('washer'), once);
    expect(
      await redis.observer.lrange(redis.key('dishes'), 0, -1),
      reads > 1
        ? `your washer went through the dishes ${reads} times: an iterable such as a generator can be read only once, so the second pass found nothing`
        : 'wash() with a generator of dishes must push each one, then quit',
    ).toEqual(['cup', 'saucer', 'quit']);
  });

  test('uses the list it is given', async ({ redis }) => {
    await wash(redis.client('washer'), ['plate'], 'plates');
    expect(await redis.observer.lrange(redis.key('plates'), 0, -1), 'wash(conn, dishes, "plates") must push onto "plates", not a fixed name').toEqual([
      'plate',
      'quit',
    ]);
  });

  test('keeps names in Japanese, Chinese and emoji intact', async ({ redis }) => {
    await wash(redis.client('washer'), FAR_AWAY);
    expect(await redis.observer.lrange(redis.key('dishes'), 0, -1), 'every name must come out of Redis exactly as it went in').toEqual([
      ...FAR_AWAY,
      'quit',
    ]);
  });

  test('pushes any dishes, in order, then quit, onto the list it is given (drawn)', async ({ redis }) => {
    let round = 0;
    await drawn(kitchen, { name: '02a drawn', examples: [{ dishes: [], queue: 'plates' }, ...NEAR_QUIT], describe: withKitchen }, async ({ dishes, queue }) => {
      const list = `${queue}:${++round}`;
      await wash(redis.client('washer'), dishes, list);
      const got = await redis.observer.lrange(redis.key(list), 0, -1);
      expect(got, `the list held [${got.map(shown).join(', ')}]: every dish once, in the order washed, then "quit"`).toEqual([...dishes, 'quit']);
    });
  });

  test('returns only once every push has been answered', async ({ redis }) => {
    const washer = watched(redis.client('washer'));
    await wash(washer.conn, DISHES);
    await redis.trace.settle();
    expect(
      redis.trace.commands({ client: 'washer' }).length + washer.calls.length,
      'wash() sent no command on the connection it was given',
    ).toBeGreaterThan(0);
    expect(
      washer.pending(),
      `wash() returned while ${washer.pending()} of its pushes were still unanswered: await each RPUSH, so whoever calls wash() knows the dishes are in`,
    ).toBe(0);
  });

  contractChecks('02a', washProbe);
});

step('02b', () => {
  test('dries dishes washed before it started, in order, and returns the count', async ({ redis }) => {
    await redis.client('washer').rpush('dishes', ...DISHES, 'quit');
    const dried: string[] = [];
    const count = await finished(redis, dry(redis.client('dryer'), (dish) => void dried.push(dish)));
    expect(dried, 'a list keeps what was pushed until someone pops it: your dryer should dry all four, in washing order').toEqual(DISHES);
    expect(count, `dry() should return how many dishes it dried (4; quit is not a dish), not ${count}`).toBe(4);
  });

  test('started first, it blocks in BLPOP until dishes come, then dries them all', async ({ redis }) => {
    const dried: string[] = [];
    const run = dry(redis.client('dryer'), (dish) => void dried.push(dish));
    run.catch(() => {});
    await blocked(redis, run);
    const washer = redis.client('washer');
    for (const dish of DISHES) await washer.rpush('dishes', dish);
    await washer.rpush('dishes', 'quit');
    expect(await finished(redis, run), 'dry() should return 4 after quit').toBe(4);
    expect(dried, 'the dryer should get every dish, in the order they were washed').toEqual(DISHES);
  });

  test('waits as long as it takes: when BLPOP answers null (its timeout passed), it waits again', async ({ redis }) => {
    const run = dry(redis.client('dryer'), () => {});
    run.catch(() => {});
    await blocked(redis, run);
    // Make the dryer's BLPOP answer null now, exactly as when its timeout passes, whatever it is.
    const [dryer] = await redis.waitForBlocked(1);
    await redis.observer.client('UNBLOCK', dryer!.id, 'TIMEOUT');
    let settled: string | undefined;
    run.then((count) => (settled = `returned ${count}`), (error: unknown) => (settled = `threw "${(error as Error).message}"`));
    while (settled === undefined) {
      const again = (await redis.clients()).some((client) => client.id === dryer!.id && client.blocked);
      if (again) break;
      await pause(5);
    }
    if (settled !== undefined) {
      await redis.trace.settle();
      const timeouts = [...new Set(redis.trace.commands({ client: 'dryer', command: 'BLPOP' }).map((event) => event.args.at(-1)))];
      const nonZero = timeouts.filter((timeout) => timeout !== '0');
      throw new Error(
        (nonZero.length > 0 ? `your dryer called BLPOP with a timeout of ${nonZero.join(', ')} (seconds, not milliseconds), and ` : 'your dryer ') +
          `gave up when BLPOP answered null (no dish within its timeout): dry() ${settled} while the washer may still be washing. ` +
          'In this lesson the dryer stops only at quit: use timeout 0, which waits for ever, or block again when BLPOP answers null.',
      );
    }
    await redis.client('washer').rpush('dishes', 'salad', 'quit');
    expect(await finished(redis, run), 'after its BLPOP timed out and it waited again, the dryer dried 1 dish before quit').toBe(1);
  });

  test('stops at quit and leaves whatever comes after it in the list', async ({ redis }) => {
    await redis.client('washer').rpush('dishes', 'cup', 'quit', 'saucer');
    const dried: string[] = [];
    const count = await finished(redis, dry(redis.client('dryer'), (dish) => void dried.push(dish)));
    expect(dried, '"quit" ends the drying: it is not a dish, and nothing after it is for this dryer').toEqual(['cup']);
    expect(count).toBe(1);
    expect(await redis.observer.lrange(redis.key('dishes'), 0, -1), 'the saucer after quit must stay in the list for the next dryer').toEqual([
      'saucer',
    ]);
  });

  test('asks Redis once per dish plus once for quit: no polling', async ({ redis }) => {
    const run = dry(redis.client('dryer'), () => {});
    run.catch(() => {});
    await blocked(redis, run);
    await redis.client('washer').rpush('dishes', ...DISHES, 'quit');
    await finished(redis, run);
    await redis.trace.settle();
    for (const command of POLLING) {
      const n = redis.trace.count(command, 'dryer');
      expect(n, `your dryer asked Redis ${n} times with ${command}; BLPOP alone waits for a dish and takes it, so Redis wakes the dryer instead`).toBe(0);
    }
    const blpops = redis.trace.count('BLPOP', 'dryer');
    expect(blpops, `your dryer sent ${blpops} BLPOP for 4 dishes and quit: one per item is enough`).toBe(5);
  });

  test('uses the list it is given', async ({ redis }) => {
    await redis.client('washer').rpush('plates', 'plate', 'quit');
    const dried: string[] = [];
    await finished(redis, dry(redis.client('dryer'), (dish) => void dried.push(dish), 'plates'), 'plates');
    expect(dried, 'dry(conn, onDried, "plates") must pop from "plates", not a fixed name').toEqual(['plate']);
  });

  test('keeps names in Japanese, Chinese and emoji intact', async ({ redis }) => {
    await redis.client('washer').rpush('dishes', ...FAR_AWAY, 'quit');
    const dried: string[] = [];
    await finished(redis, dry(redis.client('dryer'), (dish) => void dried.push(dish)));
    expect(dried, 'every name must reach onDried exactly as it was washed').toEqual(FAR_AWAY);
  });

  test('dries any dishes, in order, and only "quit" stops it (drawn)', async ({ redis }) => {
    let round = 0;
    await drawn(kitchen, { name: '02b drawn', examples: [{ dishes: [], queue: 'plates' }, ...NEAR_QUIT], describe: withKitchen }, async ({ dishes, queue }) => {
      const list = `${queue}:${++round}`;
      await redis.client('washer').rpush(list, ...dishes, 'quit');
      const dried: string[] = [];
      const count = await finished(redis, dry(redis.client('dryer'), (dish) => void dried.push(dish), list), list);
      const early = dishes.find((dish) => !dried.includes(dish));
      expect(
        dried,
        early !== undefined && dried.length < dishes.length
          ? `your dryer stopped before ${shown(early)}: only the exact word "quit" ends the drying; a dish that merely looks like it is still a dish`
          : `onDried got [${dried.map(shown).join(', ')}]: every dish once, in washing order, and not quit`,
      ).toEqual(dishes);
      expect(count, `dry() should return ${dishes.length}, the dishes it dried, not ${count}`).toBe(dishes.length);
    });
  });

  test('awaits onDried before it takes the next dish, so the rest wait in the list', async ({ redis }) => {
    await redis.client('washer').rpush('dishes', 'pot', 'pan', 'lid', 'quit');
    const dryer = watched(redis.client('dryer'));
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstCall = () => {};
    const called = new Promise<void>((resolve) => (firstCall = resolve));
    const dried: string[] = [];
    const run = dry(dryer.conn, async (dish) => {
      dried.push(dish);
      if (dried.length > 1) return;
      firstCall();
      await gate;
    });
    run.catch(() => {});
    await Promise.race([called, run]);
    // Let every microtask and pending callback run: a dryer that did not await onDried moves on now.
    await new Promise((resolve) => setImmediate(resolve));
    const left = await redis.observer.llen(redis.key('dishes'));
    const early = [...dryer.calls];
    release();
    await finished(redis, run);
    // The one command before drying began is the BLPOP that took the pot.
    const sent = early.slice(1);
    expect(
      sent.length === 0 && left === 3,
      `while onDried was still drying "pot", your dryer sent ${sent.join(', ') || 'nothing'} and the list held ${left} of 3 items: ` +
        'await onDried(dish) before the next BLPOP, so dishes you cannot handle yet stay in Redis (where another dryer could take them)',
    ).toBe(true);
    expect(dried).toEqual(['pot', 'pan', 'lid']);
  });

  contractChecks('02b', dryProbe);
});
