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
  // TODO: loop: take the next dish with conn.blpop(queue, 0); it resolves to [key, dish].
  // TODO: stop on QUIT and return how many dishes you dried.
  // TODO: otherwise await onDried(dish) before you take the next one.
  throw new Error(`TODO: dry() is not written yet (it should stop on "${QUIT}")`);
}
