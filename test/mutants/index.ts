/**
 * Wrong solutions that learners really write, each kept as the file(s) that differ from the
 * reference solution. `npm run check` runs each against its step's checks: every mutant must fail
 * at least one check, and the first failure's message must match `expect`, so that the learner
 * is told what is wrong in words that point at the mistake.
 *
 * Files live in `test/mutants/<lesson slug>/<mutant name>/`, named like the lesson's files, and
 * each lesson lists its mutants in `test/mutants/<lesson slug>/mutants.ts` (`export const mutants`).
 */
export interface Mutant {
  /** Folder name, such as `polling-dryer`. */
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
