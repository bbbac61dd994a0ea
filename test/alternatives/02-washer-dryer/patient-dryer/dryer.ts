import type { Redis } from '#workshop/redis';
import { QUIT } from './washer.ts';

/** Dries until quit, asking Redis for a dish at most every 5 s and asking again when none came. */
export async function dry(conn: Redis, onDried: (dish: string) => void | Promise<void>, queue = 'dishes'): Promise<number> {
  let count = 0;
  let dish: string | undefined;
  while (dish !== QUIT) {
    const reply = await conn.blpop(queue, 5);
    if (reply === null) continue;
    dish = reply[1];
    if (dish !== QUIT) {
      await onDried(dish);
      count += 1;
    }
  }
  return count;
}
