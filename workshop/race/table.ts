/**
 * The race's table: each bench row of a lesson with your code's figure beside the reference's and
 * the baseline's, all measured in the same run on the same Redis.
 */
import { formatRatio, formatValue } from '../../bench/report.ts';
import type { RowResult } from '../../bench/goal.ts';

export interface RaceRow {
  yours: RowResult;
  reference: RowResult;
  /** The lowest and highest figure of the reference's rounds, when it ran more than one. */
  spread?: { low: number; high: number };
}

function figure(row: RowResult): string {
  if (row.status === 'not done yet') return 'not done yet';
  if (row.status === 'failed') return 'failed';
  return formatValue(row.figure!, row.unit);
}

/** Yours over `other`, the way the row counts better (1.20: 1.2 times as good), or undefined when either is missing. */
function ratioOf(yours: RowResult, other: number | undefined): number | undefined {
  if (yours.status !== 'measured' || other === undefined) return undefined;
  const lower = yours.lowerIsBetter || yours.goal.kind === 'max-ratio' || yours.goal.kind === 'max-value';
  return lower ? other / yours.figure! : yours.figure! / other;
}

function formatAgainst(ratio: number | undefined): string {
  if (ratio === undefined) return '-';
  return ratio >= 100 ? `${Math.round(ratio).toLocaleString('en')}x` : formatRatio(ratio);
}

/**
 * With one round a side (a slow lesson): the same code raced against itself on our 2-core machine
 * came out as far apart as 0.68x (lesson 06, four workers) and 1.68x (lesson 01), so inside this
 * band one round cannot tell the two apart.
 */
export const TIE = { below: 2 / 3, above: 1.5 };

/**
 * A tie: your figure lies within the spread of the reference's own rounds (the machine's noise, as
 * measured in this race), or, with one round, within TIE.
 */
function isTie({ yours, spread }: RaceRow, ratio: number): boolean {
  return spread ? yours.figure! >= spread.low && yours.figure! <= spread.high : ratio >= TIE.below && ratio <= TIE.above;
}

/** A Markdown table that reads in a terminal; a ratio above 1x means your code did better. */
export function formatRace(rows: readonly RaceRow[]): string {
  const header = ['row', 'what', 'your code', 'reference', 'baseline (same run)', 'you vs reference', 'you vs baseline'];
  const body = rows.map((row) => {
    const { yours, reference } = row;
    const versusReference = ratioOf(yours, reference.status === 'measured' ? reference.figure : undefined);
    return [
      yours.key,
      yours.what,
      figure(yours),
      figure(reference),
      yours.status === 'measured' ? `${formatValue(yours.baseline!, yours.baselineUnit)} ${yours.baselineWhat}` : yours.baselineWhat,
      `${formatAgainst(versusReference)}${versusReference !== undefined && isTie(row, versusReference) ? ' (a tie)' : ''}`,
      formatAgainst(ratioOf(yours, yours.baseline)),
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Under the table: why a row could not be measured. */
export function formatFailures(rows: readonly RaceRow[]): string[] {
  return rows.flatMap(({ yours, reference }) => [
    ...(yours.status === 'failed' ? [`${yours.key}: your code could not be measured: ${yours.error}`] : []),
    ...(reference.status === 'failed' ? [`${yours.key}: the reference could not be measured: ${reference.error}`] : []),
  ]);
}
