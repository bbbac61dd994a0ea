/**
 * What `npm run bench` and `npm run race` share: a Redis and a key prefix for a run, and one item
 * measured into rows (a row it could not measure says why: not written yet, or what failed).
 */
import { minRedisFor } from '../workshop/manifest.ts';
import { provideRedis } from '../workshop/provision/provision.ts';
import { PREFIX_VARIABLE, URL_VARIABLE } from '../workshop/redis.ts';
import { judge, unmeasured, type RowResult } from './goal.ts';
import { isTodo, rowsOf, type BenchContext, type Item } from './item.ts';
import { deleteKeys } from './redis-tools.ts';

export interface BenchRedis {
  url: string;
  /** `redis-server 7.0.15`. */
  description: string;
  /** This run's key prefix, set for connect() too. */
  prefix: string;
  /** Deletes the run's keys and stops the server if the run started it. */
  close(): Promise<void>;
}

/** A Redis for a run, in the environment that connect() and the worker threads read. */
export async function benchRedis(startedAt: Date): Promise<BenchRedis> {
  const redis = await provideRedis({ minVersion: minRedisFor() });
  // Worker threads copy the environment when they start, so set it before any of them.
  const prefix = `bench:${process.pid}:${startedAt.getTime().toString(36)}:`;
  process.env[URL_VARIABLE] = redis.url;
  process.env[PREFIX_VARIABLE] = prefix;
  return {
    url: redis.url,
    description: `${redis.source} ${redis.version}`,
    prefix,
    async close() {
      try {
        await deleteKeys(redis.url, prefix);
      } finally {
        await redis.stop();
      }
    },
  };
}

/** Runs `item` and judges each of its rows; never throws for the item's own failure. */
export async function measureItem(item: Item, ctx: BenchContext): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  try {
    const measured = await item.run(ctx);
    for (const spec of rowsOf(item, ctx.quick)) {
      const found = measured.find((entry) => entry.key === spec.key);
      rows.push(found ? judge(spec, found) : unmeasured(spec, new Error('the item returned no figure for this row'), false));
    }
  } catch (error) {
    const todo = isTodo(error);
    if (!todo) ctx.log(`${item.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    for (const spec of rowsOf(item, ctx.quick)) rows.push(unmeasured(spec, error, todo));
  }
  return rows;
}
