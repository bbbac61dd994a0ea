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
  // TODO: push each dish onto the tail of the list `queue`, in order (conn.rpush), awaiting each push.
  // TODO: then push QUIT, so the dryer knows when to stop.
  throw new Error('TODO: wash() is not written yet (lessons/02-washer-dryer/washer.ts)');
}
