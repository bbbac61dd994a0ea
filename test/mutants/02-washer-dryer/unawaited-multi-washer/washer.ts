import type { Redis } from '#workshop/redis';

export const QUIT = 'quit';

export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  const batch = conn.multi();
  for (const dish of dishes) batch.rpush(queue, dish);
  batch.rpush(queue, QUIT);
  void batch.exec();
}
