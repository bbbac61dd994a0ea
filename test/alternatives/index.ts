/**
 * Correct solutions written differently from the reference: the shapes a learner may choose that
 * the checks must accept. `npm run check` lays each over a copy of the solutions and runs its
 * step's checks several times (`runs`): every run must pass, or a learner's correct code would be
 * failed by luck or by the reference's shape.
 *
 * Files live in `test/alternatives/<lesson slug>/<name>/`, named like the lesson's files, and each
 * lesson lists its alternatives in `test/alternatives/<lesson slug>/alternatives.ts`.
 */
export interface Alternative {
  /** Folder name, such as `patient-dryer`. */
  name: string;
  /** The step whose checks it must pass, such as `02b`. */
  step: string;
  /** How it differs from the reference, in a learner's words. */
  differs: string;
  /** How many times its checks run in `npm run check` (default 3). */
  runs?: number;
}
