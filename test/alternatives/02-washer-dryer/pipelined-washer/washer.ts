import type { Redis } from '#workshop/redis';

export const QUIT = 'quit';

/** Pushes without waiting between dishes (one pipeline, chained), and waits once for all the replies. */
export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  const pipeline = [...dishes].reduce((batch, dish) => batch.rpush(queue, dish), conn.pipeline()).rpush(queue, QUIT);
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}
