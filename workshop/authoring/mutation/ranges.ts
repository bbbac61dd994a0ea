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

/**
 * Stryker's `mutate` entries for a lesson file: `solutions/<slug>/<file>:from-to`, one a range of
 * what the learner writes; the whole file when the lesson has no starter of it.
 */
export function mutateEntries(slug: string, file: string): string[] {
  const path = `solutions/${slug}/${file}`;
  const starter = join(ROOT, 'lessons', slug, file);
  if (!existsSync(starter)) return [path];
  return writtenRanges(readFileSync(join(ROOT, path), 'utf8'), readFileSync(starter, 'utf8')).map(([from, to]) => `${path}:${from}-${to}`);
}

/**
 * True when `line` (1-based) of the lesson file is one a learner writes. Stryker's incremental
 * mode can hand back results of mutants outside the ranges from an earlier run; they are dropped.
 */
export function isWritten(slug: string, file: string, line: number): boolean {
  return mutateEntries(slug, file).some((entry) => {
    const range = /:(\d+)-(\d+)$/.exec(entry);
    return !range || (line >= Number(range[1]) && line <= Number(range[2]));
  });
}
