/**
 * Starts (or finds) Redis once for the whole run and hands its address to every test file.
 * When no Redis can be had, the lessons that need none still run; the others fail with the
 * message that says how to get one. Also puts the TypeScript fallback (workshop/typescript) in
 * NODE_OPTIONS, so that learner code runs in threads and child processes whatever TypeScript it uses,
 * and turns on Node's compile cache for all of them (workshop/runtime/compile-cache.ts).
 */
import type { TestProject } from 'vitest/node';
import { minRedisFor } from '../../workshop/manifest.ts';
import { provideRedis, safeUrl, type ProvidedRedis } from '../../workshop/provision/provision.ts';
import { warmStarts } from '../../workshop/runtime/compile-cache.ts';
import { withTypeScriptFallback } from '../../workshop/typescript/fallback.ts';

// Every project of a run calls this setup (each may load this module anew); they share one
// server, kept on globalThis and stopped by the last teardown.
interface Shared {
  redis: Promise<ProvidedRedis>;
  users: number;
}
const holder = globalThis as { workshopRedis?: Shared };

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisSource: string;
    redisError: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  // Before the test processes start: they, their threads and their children inherit it.
  process.env.NODE_OPTIONS = withTypeScriptFallback(process.env.NODE_OPTIONS);
  // And Node's compile cache, so that each thread and process a check starts loads its modules warm.
  warmStarts();
  if (process.env.WORKSHOP_NEEDS_REDIS === '0') {
    // verify of a lesson without Redis (01) skips the search, so it works with no Redis at all.
    project.provide('redisUrl', '');
    project.provide('redisSource', '');
    project.provide('redisError', 'This run was started without Redis (WORKSHOP_NEEDS_REDIS=0).');
    return;
  }
  try {
    holder.workshopRedis ??= { redis: provideRedis({ minVersion: process.env.WORKSHOP_MIN_REDIS || minRedisFor() }), users: 0 };
    const current = holder.workshopRedis;
    current.users++;
    let redis: ProvidedRedis;
    try {
      redis = await current.redis;
    } catch (error) {
      if (holder.workshopRedis === current) holder.workshopRedis = undefined;
      throw error;
    }
    project.provide('redisUrl', redis.url);
    project.provide('redisSource', `${redis.source} ${redis.version}`);
    project.provide('redisError', '');
    // Read by verify, which runs this setup in its own process, to say which server it used.
    process.env.WORKSHOP_REDIS_DESCRIPTION = `${process.env.WORKSHOP_REDIS_LABEL || redis.source} ${redis.version} at ${safeUrl(redis.url)}`;
    return async () => {
      if (--current.users > 0) return;
      if (holder.workshopRedis === current) holder.workshopRedis = undefined;
      await redis.stop();
    };
  } catch (error) {
    project.provide('redisUrl', '');
    project.provide('redisSource', '');
    project.provide('redisError', error instanceof Error ? error.message : String(error));
  }
}
