/**
 * Configurations drawn, not picked: a check runs with a few configurations fast-check draws (counts,
 * capacities, names, lists) instead of the one its author thought of, and a failure is shrunk to the
 * smallest configuration that still fails. The learner's message then names that configuration
 * ("with dishes ["quit "]: …") and the seed, the same seed the threads' schedules use, so
 * `npm run verify -- <step> --seed N` draws the same configurations again.
 *
 * A few draws per check, within its step's time limit: each draw is a whole run of the learner's
 * code, and so is each step of the shrinking, which stops at `budgetMs`.
 */
import fc from 'fast-check';
import { seedFromEnv, streamOf } from '../../workshop/perturb/schedule.ts';

export { fc };

export interface DrawOptions<T> {
  /** The check's own name, mixed into the seed so that each check draws its own configurations. */
  name: string;
  /** How many drawn configurations to try, beyond the examples. @default 3 */
  runs?: number;
  /** Configurations always tried first: the edges the contract names (none, one, the stop word…). */
  examples?: T[];
  /** Time for drawing and shrinking together; past it, no new draw starts and the smallest failure found so far is told. @default 2000 */
  budgetMs?: number;
  /**
   * Shrink a failure to a smaller configuration. Off for a check whose failed run can leave behind
   * what would blur the next one (a pool that could not be stopped): the first failure is told. @default true
   */
  shrink?: boolean;
  /** The configuration in the learner's words, such as `with dishes ["quit "]`. */
  describe: (value: T) => string;
}

/** The seed of this run: the schedules' (WORKSHOP_SEED), or one of our own when they are off. */
const runSeed = seedFromEnv() ?? Math.floor(Math.random() * 1_000_000);

/**
 * Runs `check` with configurations drawn from `arbitrary`; rethrows the smallest failure found, its
 * message led by the configuration and ended by the seed.
 */
export async function drawn<T>(arbitrary: fc.Arbitrary<T>, options: DrawOptions<T>, check: (value: T) => Promise<void>): Promise<void> {
  const seed = streamOf(runSeed, options.name) | 0;
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      await check(value);
    }),
    {
      seed,
      // fast-check counts the examples among its runs.
      numRuns: (options.runs ?? 3) + (options.examples?.length ?? 0),
      examples: (options.examples ?? []).map((example) => [example] as [T]),
      // Past the budget, no new draw and no further shrinking starts; a run already going is never
      // cut short (cut short, a run that would have failed, a hang most of all, would count as passed).
      skipAllAfterTimeLimit: options.budgetMs ?? 2000,
      endOnFailure: options.shrink === false,
    },
  );
  // Failed with no counterexample: draws were skipped for time, none failed.
  if (!result.failed || !result.counterexample) return;
  const [value] = result.counterexample;
  const error = result.errorInstance instanceof Error ? result.errorInstance : new Error(String(result.errorInstance));
  // On a line of its own: the end of the first line is vitest's, and the report trims it there.
  const replay = seedFromEnv() === undefined ? '' : `\n(configuration drawn from seed ${runSeed}: --seed ${runSeed} draws it again)`;
  // A starter's TODO is the same whatever was drawn: told as it is.
  if (!error.message.startsWith('TODO')) error.message = `${options.describe(value)}: ${error.message}${replay}`;
  throw error;
}

/** A string as a learner would read it in a message: quoted, with what is invisible shown. */
export const shown = (text: string): string => JSON.stringify(text);
