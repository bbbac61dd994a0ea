/**
 * Wrong solutions that learners really write, each kept as the diff that makes the reference
 * solution wrong. `npm run check` applies each to a copy of the solutions and runs its step's
 * checks: every mutant must fail at least one check, and the first failure's message must match
 * `expect`, so that the learner is told what is wrong in words that point at the mistake. A patch
 * that no longer applies (the reference moved) fails the check at once.
 *
 * Patches live in `test/mutants/<lesson slug>/<mutant name>.patch` (unified diffs, `a/<file>` and
 * `b/<file>` named like the lesson's files; workshop/authoring/mutant-patch.ts opens and makes
 * them), and each lesson lists its mutants in `test/mutants/<lesson slug>/mutants.ts`.
 */
export interface Mutant {
  /** The patch's name without `.patch`, such as `polling-dryer`. */
  name: string;
  /** The step whose checks must catch it, such as `02b`. */
  step: string;
  /** The mistake, in a learner's words. */
  mistake: string;
  /** What the failing check's message must say. */
  expect: RegExp;
  /**
   * A race: the checks catch it every run by fault injection (a nap in the right gap). `npm run
   * check -- --seeds N` measures how many seeded schedules (workshop/perturb) find it without.
   */
  race?: true;
}
