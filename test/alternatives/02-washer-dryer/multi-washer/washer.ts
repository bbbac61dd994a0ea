import type { Redis } from '#workshop/redis';

export const QUIT = 'quit';

/** Every dish and quit in one MULTI: the dryer sees all of them or none. */
export async function wash(conn: Redis, dishes: Iterable<string>, queue = 'dishes'): Promise<void> {
  const batch = conn.multi();
  for (const dish of dishes) batch.rpush(queue, dish);
  batch.rpush(queue, QUIT);
  const replies = await batch.exec();
  const failed = replies?.find(([error]) => error);
  if (!replies || failed) throw failed?.[0] ?? new Error('the MULTI was aborted');
}
