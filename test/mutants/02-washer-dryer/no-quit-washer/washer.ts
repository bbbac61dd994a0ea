import type { Redis } from '#workshop/redis';

/** The word that tells a dryer there are no more dishes. */
export const QUIT = 'quit';

/**
 * Washes the dishes: pushes each one onto the tail of the list `queue`, in order, then `quit`.
 *
 * @param conn - a connection from `connect()`.
 * @param queue - the list's name. @default 'dishes'
 * @example
 * await wash(connect('washer'), ['salad', 'bread', 'entree', 'dessert']);
 */
export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  for (const dish of dishes) {
    // RPUSH adds at the tail and the dryer pops from the head: first washed, first dried.
    await conn.rpush(queue, dish);
  }
}
