import type { Redis } from '#workshop/redis';

export const QUIT = 'quit';

export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  const count = [...dishes].length;
  if (count > 0) {
    for (const dish of dishes) await conn.rpush(queue, dish);
  }
  await conn.rpush(queue, QUIT);
}
