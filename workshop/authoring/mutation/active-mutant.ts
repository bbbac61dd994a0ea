/**
 * StrykerJS tells the test process which mutant is active through a global; the learner's threads
 * and lesson 06's processes have globals of their own. Its instrumented code also reads the
 * environment variable below when its global has none, and threads and child processes inherit
 * the environment: copy the mutant there before each check starts them.
 */
import { beforeEach } from 'vitest';

const VARIABLE = '__STRYKER_ACTIVE_MUTANT__';

beforeEach(() => {
  const active = (globalThis as { __stryker__?: { activeMutant?: unknown } }).__stryker__?.activeMutant;
  if (active === undefined || active === null) delete process.env[VARIABLE];
  else process.env[VARIABLE] = String(active);
});
