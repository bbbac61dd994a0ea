import type { Redis } from '#workshop/redis';

export const QUIT = 'quit';

/** Every dish, then quit, onto the tail of the list in one command: Redis keeps their order. */
export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  await conn.rpush(queue, ...dishes, QUIT);
}
