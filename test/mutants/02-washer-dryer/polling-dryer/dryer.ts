import type { Redis } from '#workshop/redis';
import { QUIT } from './washer.ts';

export async function dry(
  conn: Redis,
  onDried: (dish: string) => void | Promise<void>,
  queue = 'dishes',
): Promise<number> {
  let dried = 0;
  for (;;) {
    const dish = await conn.lpop(queue);
    if (dish === null) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    if (dish === QUIT) return dried;
    await onDried(dish);
    dried++;
  }
}
