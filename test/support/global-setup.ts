/**
 * Starts (or finds) Redis once for the whole run and hands its address to every test file.
 * When no Redis can be had, the lessons that need none still run; the others fail with the
 * message that says how to get one.
 */
import type { TestProject } from 'vitest/node';
import { minRedisFor } from '../../workshop/manifest.ts';
import { provideRedis } from '../../workshop/provision.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisSource: string;
    redisError: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  if (process.env.WORKSHOP_NEEDS_REDIS === '0') {
    // verify of a lesson without Redis (01) skips the search, so it works with no Redis at all.
    project.provide('redisUrl', '');
    project.provide('redisSource', '');
    project.provide('redisError', 'This run was started without Redis (WORKSHOP_NEEDS_REDIS=0).');
    return;
  }
  try {
    const redis = await provideRedis({ minVersion: process.env.WORKSHOP_MIN_REDIS || minRedisFor() });
    project.provide('redisUrl', redis.url);
    project.provide('redisSource', `${redis.source} ${redis.version}`);
    project.provide('redisError', '');
    return () => redis.stop();
  } catch (error) {
    project.provide('redisUrl', '');
    project.provide('redisSource', '');
    project.provide('redisError', error instanceof Error ? error.message : String(error));
  }
}
