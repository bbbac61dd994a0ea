import type { Redis } from '#workshop/redis';

export const QUIT = 'quit';

export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  const all = [...dishes];
  for (const [index, dish] of all.entries()) {
    // Quit rides along with the last dish: one command fewer.
    if (index === all.length - 1) await conn.rpush(queue, dish, QUIT);
    else await conn.rpush(queue, dish);
  }
}
