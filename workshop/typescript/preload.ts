/**
 * Loaded by Node (`--import`, through NODE_OPTIONS) into every thread and process of a run, before
 * the learner's code: installs the load hook of fallback.ts in this thread. registerHooks() runs
 * the hook in the thread itself, synchronously, and lasts as long as the thread.
 */
import { registerHooks } from 'node:module';
import { load } from './fallback.ts';

registerHooks({ load });
