import type { Redis } from '#workshop/redis';
import { QUIT } from './washer.ts';

/**
 * Dries dishes from the list `queue` until it pops `quit`, one at a time.
 *
 * @param conn - a connection of its own: BLPOP holds it for as long as it waits.
 * @param onDried - called with each dish; the next dish is taken only once it has settled.
 * @param queue - the list's name. @default 'dishes'
 * @returns how many dishes it dried (`quit` is not a dish).
 * @example
 * const count = await dry(connect('dryer'), (dish) => console.log('Dried', dish));
 */
export async function dry(
  conn: Redis,
  onDried: (dish: string) => void | Promise<void>,
  queue = 'dishes',
): Promise<number> {
  let dried = 0;
  for (;;) {
    // Timeout 0: Redis parks us until a dish arrives and wakes us then; no polling.
    const popped = await conn.blpop(queue, 30_000);
    if (!popped) return dried; // "30 seconds without a dish: the washer must be done"
    const [, dish] = popped;
    if (dish === QUIT) return dried;
    // Finish this dish before taking the next: unfinished work waits in Redis, not in our memory.
    await onDried(dish);
    dried++;
  }
}
