/**
 * A step's contract: what its README promises a caller, written once, as data. The runner, the
 * harness's own tests and the generated checks (test/support/contract/) all read it, so a new step
 * gets its generic checks from its contract instead of from someone remembering to write them.
 */

export type Scalar = string | number | boolean;

export interface OptionContract {
  /** As the caller writes it: `queue`, or a positional parameter's name (`timeoutMs`). */
  name: string;
  /** The caller must pass it: checks never leave it out. */
  required?: true;
  /** Its value when left out, when it has one (a callback left out has none: nothing is called). */
  default?: Scalar;
  /** Values other than the default that checks pass, drawn among. */
  values: readonly Scalar[];
  /**
   * Names something instances share when they pass the same value (a list, a channel): two
   * instances at once are given two different ones.
   */
  isolates?: true;
}

export interface ExportContract {
  name: string;
  kind: 'function' | 'class' | 'const';
  /** As a caller reads it. */
  signature: string;
  options?: readonly OptionContract[];
}

/** What a step's code opens; every one must be closed by the time `closedBy` says. */
export type ResourceKind = 'thread' | 'connection' | 'timer' | 'socket' | 'server' | 'process' | 'subscription';

export interface ResourceContract {
  kind: ResourceKind;
  /** When it must be closed, in the README's words. */
  closedBy: string;
}

/** Something the README names that a check must exercise: the check's name says where. */
export interface Named {
  /** The promise, edge or rule in a learner's words. */
  what: string;
  /** The start of the check's name (after the step title) that exercises it. */
  check: string;
}

export interface StepContract {
  exports: readonly ExportContract[];
  /** What is numbered, and from where (`dryers are numbered 1 to N`). */
  numbering?: string;
  /** Edge inputs the README names, each with the check that tries it. */
  edges?: readonly Named[];
  resources: readonly ResourceContract[];
  /** Promises that must reject, and when, each with the check that makes it reject. */
  rejects?: readonly Named[];
}
