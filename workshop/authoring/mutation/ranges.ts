/**
 * What a learner writes of a file: the solution's lines that its starter does not already hold.
 * A starter hands over the options' validation, the types and the thread's own setup as they are;
 * a mutant there is no mistake a learner can make, so `npm run mutation` mutates only the rest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../target.ts';

/** Lines this short (`}`, `try {`, `break;`) say nothing of who wrote them: they join what is around them. */
const SHORT = 12;

type Kind = 'given' | 'written' | 'neutral';

function kinds(solution: string, starter: string): Kind[] {
  const given = new Set(starter.split('\n').map((line) => line.trim()));
  return solution.split('\n').map((raw) => {
    const line = raw.trim();
    if (line.length < SHORT || line.startsWith('//') || line.startsWith('*') || line.startsWith('/*')) return 'neutral';
    return given.has(line) ? 'given' : 'written';
  });
}

/**
 * The 1-based line ranges of `solution` a learner writes: runs of lines not given by `starter`,
 * each holding at least one written line, with neutral lines at their edges trimmed off.
 */
export function writtenRanges(solution: string, starter: string): Array<[number, number]> {
  const lines = kinds(solution, starter);
  const ranges: Array<[number, number]> = [];
  let first = -1;
  let last = -1;
  const close = () => {
    if (first >= 0) ranges.push([first + 1, last + 1]);
    first = last = -1;
  };
  lines.forEach((kind, i) => {
    if (kind === 'given') close();
    else if (kind === 'written') {
      if (first < 0) first = i;
      last = i;
    }
  });
  close();
  return ranges;
}

/** The ranges a learner writes of a lesson file; undefined when the lesson has no starter of it (all of it is theirs). */
function learnerRanges(slug: string, file: string): Array<[number, number]> | undefined {
  const starter = join(ROOT, 'lessons', slug, file);
  if (!existsSync(starter)) return undefined;
  return writtenRanges(readFileSync(join(ROOT, 'solutions', slug, file), 'utf8'), readFileSync(starter, 'utf8'));
}

/**
 * Stryker's `mutate` entries for a lesson file: `solutions/<slug>/<file>:from-to`, one a range of
 * what the learner writes; the whole file when the lesson has no starter of it.
 */
export function mutateEntries(slug: string, file: string): string[] {
  const path = `solutions/${slug}/${file}`;
  const ranges = learnerRanges(slug, file);
  return ranges ? ranges.map(([from, to]) => `${path}:${from}-${to}`) : [path];
}

/**
 * Whether a line (1-based) of one of `files` is one a learner writes, each file read once. Stryker's
 * incremental mode can hand back results of mutants outside the ranges from an earlier run; they are dropped.
 */
export function writtenLines(slug: string, files: readonly string[]): (file: string, line: number) => boolean {
  const byFile = new Map(files.map((file) => [file, learnerRanges(slug, file)]));
  return (file, line) => {
    const ranges = byFile.get(file);
    return !ranges || ranges.some(([from, to]) => line >= from && line <= to);
  };
}
