/**
 * What a bench item is: the rows it promises (known before it runs, so a row that could not be
 * measured still shows, with the reason) and a run() that measures them.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** How a row's figure is judged against its baseline. */
export type Goal =
  | { kind: 'min-ratio'; value: number } // figure / baseline at least `value`
  | { kind: 'max-ratio'; value: number } // figure / baseline at most `value`
  | { kind: 'max-value'; value: number } // figure itself at most `value`, in its unit
  | { kind: 'none' };

export interface RowSpec {
  /** Unique in the whole table, such as `03 N=4`. */
  key: string;
  what: string;
  unit: string;
  /** What the figure is compared with, such as `one-way postMessage`. */
  baselineWhat: string;
  baselineUnit: string;
  goal: Goal;
  /** For a row with no goal: a smaller figure is the better one (a time). @default false */
  lowerIsBetter?: boolean;
  /** One line for a person, printed under the table when the goal is missed. */
  whyMissed?: string;
}

export interface Measured {
  key: string;
  figure: number;
  baseline: number;
  /** Overrides the spec's baselineWhat, e.g. when redis-benchmark is missing. */
  baselineWhat?: string;
  /** Context shown under the table whatever the verdict (thread start cost, sample size). */
  note?: string;
  /** Overrides the spec's whyMissed with what this run measured (where the time went). */
  whyMissed?: string;
}

export interface BenchContext {
  /** Absolute folder the lesson code is imported from. */
  targetDir: string;
  /** `lessons`, `solutions` or a folder, as given. */
  targetName: string;
  quick: boolean;
  redisUrl: string;
  /** This run's key prefix; connect() applies it too (WORKSHOP_KEY_PREFIX). */
  prefix: string;
  /** A progress line on stderr. */
  log(line: string): void;
}

export interface Item {
  /** Two digits, or `verify`. */
  id: string;
  title: string;
  rows: RowSpec[];
  /** In a `--quick` run only these rows are measured and reported (all of them when absent). */
  quickKeys?: readonly string[];
  run(ctx: BenchContext): Promise<Measured[]>;
}

/** The rows an item reports in this run: a quick run may leave some out. */
export function rowsOf(item: Item, quick: boolean): RowSpec[] {
  return quick && item.quickKeys ? item.rows.filter((row) => item.quickKeys!.includes(row.key)) : item.rows;
}

/** Thrown when the code under test is still a starter: the row says "not done yet". */
export class NotDoneYet extends Error {
  override name = 'NotDoneYet';
}

/** True for the starters' `throw new Error('TODO: ...')`, wherever it surfaced. */
export function isTodo(error: unknown): boolean {
  if (error instanceof NotDoneYet) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /\bTODO\b/.test(message);
}

/** Imports `<target>/<slug>/<file>` (a .ts file: Node erases its types). */
export async function importLesson<T>(ctx: BenchContext, slug: string, file: string): Promise<T> {
  return (await import(pathToFileURL(join(ctx.targetDir, slug, file)).href)) as T;
}

/** Fails with `what` when `promise` has not settled after `ms`: lesson code that hangs must not hang the bench. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
