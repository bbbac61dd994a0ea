/**
 * Warm starts: Node's module compile cache for the workshop's own process and for every thread
 * and process it starts. A check starts fresh threads (and lesson 06 fresh processes), each of
 * which compiles the same modules again: ioredis, the harness, the learner's files. With the cache,
 * V8's compiled code is kept on disk (keyed by each file's contents, so an edited file compiles
 * anew) and read back on the next start.
 *
 * NODE_COMPILE_CACHE is set for children and threads, which read it when they start; the
 * process that calls this turns the cache on for itself with module.enableCompileCache().
 * NODE_DISABLE_COMPILE_CACHE=1 turns it all off; a cache that cannot be opened is simply not used.
 */
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../target.ts';

/** Where the compiled code is kept unless NODE_COMPILE_CACHE says otherwise: git-ignored, beside the progress file. */
export const CACHE_DIR = join(ROOT, '.workshop', 'compile-cache');

/** Turns the cache on here and for what this process starts from now on; returns its folder, or undefined when off. */
export function warmStarts(): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const directory = process.env.NODE_COMPILE_CACHE || CACHE_DIR;
  const result = enableCompileCache(directory);
  if (!result.directory) return undefined;
  process.env.NODE_COMPILE_CACHE = result.directory;
  return result.directory;
}
