/**
 * The mutation run's table, per lesson: mutants, killed, survived, timed out, no coverage, the
 * survivors listed as equivalent, and the score: what the checks caught out of what they could.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MutantResult } from '@stryker-mutator/api/core';
import type { LessonInfo } from '../../manifest.ts';
import { ROOT } from '../../target.ts';

export interface PassResult {
  lesson: LessonInfo;
  /** The row's name when it is one step's files (`06b`), not the whole lesson. */
  label?: string;
  mutants: MutantResult[];
  seconds: number;
}

export const EQUIVALENT_FILE = join(ROOT, 'test', 'mutants', 'equivalent.txt');

/** `solutions/02-washer-dryer/dryer.ts:14:9 StringLiteral`: where a mutant is, and what kind. */
export function keyOf(mutant: Pick<MutantResult, 'fileName' | 'location' | 'mutatorName'>): string {
  const file = relative(ROOT, mutant.fileName).replace(/^\.workshop\/stryker-tmp\/[^/]+\//, '');
  return `${file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName}`;
}

/** The survivors explained in test/mutants/equivalent.txt: `<key> | why`, one a line, # for comments. */
export function equivalents(file = EQUIVALENT_FILE): Map<string, string> {
  const listed = new Map<string, string>();
  if (!existsSync(file)) return listed;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [key = '', why = ''] = line.split(' | ');
    listed.set(key.trim(), why.trim());
  }
  return listed;
}

export function tabulate(results: readonly PassResult[], listed: ReadonlyMap<string, string>): { table: string; unexplained: MutantResult[] } {
  const rows = [['lesson', 'mutants', 'killed', 'survived', 'timed out', 'no coverage', 'equivalent listed', 'killed %', 'time']];
  const unexplained: MutantResult[] = [];
  for (const { lesson, label, mutants, seconds } of results) {
    const count = (status: string) => mutants.filter((mutant) => mutant.status === status).length;
    const survivors = mutants.filter((mutant) => mutant.status === 'Survived' || mutant.status === 'NoCoverage');
    const equivalent = survivors.filter((mutant) => listed.has(keyOf(mutant))).length;
    unexplained.push(...survivors.filter((mutant) => !listed.has(keyOf(mutant))));
    const valid = mutants.filter((mutant) => !['CompileError', 'RuntimeError', 'Ignored', 'Pending'].includes(mutant.status)).length;
    const caught = count('Killed') + count('Timeout');
    const score = valid - equivalent > 0 ? (100 * caught) / (valid - equivalent) : 100;
    rows.push([label ?? lesson.id, String(valid), String(count('Killed')), String(count('Survived')), String(count('Timeout')), String(count('NoCoverage')), String(equivalent), `${score.toFixed(1)}%`, `${Math.round(seconds)} s`]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
  return { table, unexplained };
}
