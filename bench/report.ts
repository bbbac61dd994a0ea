/**
 * The bench's results for a person (a table that is also Markdown, and a line under it for
 * each goal missed) and for a program (JSON).
 */
import { goalText, type RowResult } from './goal.ts';

export interface BenchReport {
  /** Which folder's code was benched: `solutions`, `lessons`, or a folder. */
  target: string;
  redis: string;
  machine: string;
  quick: boolean;
  startedAt: string;
  durationMs: number;
  rows: RowResult[];
}

/** 412k items/s, 3.2 ms, 2.95 s, 3.87x: three significant figures or so, with the unit. */
export function formatValue(value: number, unit: string): string {
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit.endsWith('/s')) {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M ${unit}`;
    if (value >= 1e4) return `${Math.round(value / 1e3)}k ${unit}`;
    return `${Math.round(value).toLocaleString('en')} ${unit}`;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/** 2.01x, or 1/9400x when the figure is a tiny fraction of the baseline. */
export function formatRatio(ratio: number): string {
  if (ratio > 0 && ratio < 0.01) return `1/${Math.round(1 / ratio)}x`;
  return `${ratio.toFixed(2)}x`;
}

function verdict(row: RowResult): string {
  if (row.status === 'not done yet') return 'not done yet';
  if (row.status === 'failed') return 'FAILED';
  if (row.met === undefined) return 'shown';
  return row.met ? 'met' : 'MISSED';
}

function cells(row: RowResult): string[] {
  const measured = row.status === 'measured';
  return [
    row.key,
    row.what,
    measured ? formatValue(row.figure!, row.unit) : '-',
    `${measured ? formatValue(row.baseline!, row.baselineUnit) : '-'} ${row.baselineWhat}`,
    measured ? formatRatio(row.ratio!) : '-',
    goalText(row.goal, row.unit),
    verdict(row),
  ];
}

/** The table, with columns padded so it reads in a terminal and renders as Markdown. */
export function formatTable(rows: readonly RowResult[]): string {
  const header = ['row', 'what', 'figure', 'baseline (same run)', 'ratio', 'goal', 'verdict'];
  const body = rows.map(cells);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** One line per row that needs words: a missed goal and why, a failure, and the context of each figure. */
export function formatNotes(rows: readonly RowResult[]): string {
  const out: string[] = [];
  for (const row of rows) {
    if (row.status === 'failed') out.push(`${row.key}: could not be measured: ${row.error}`);
    else if (row.status === 'not done yet') out.push(`${row.key}: not done yet (the lesson code still throws TODO).`);
    if (row.met === false && row.whyMissed) out.push(`${row.key}: missed: ${row.whyMissed}`);
    if (row.note) out.push(`${row.key}: ${row.note}`);
  }
  return out.join('\n');
}

export function formatReport(report: BenchReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  return [
    `Bench of ${report.target}/ ${report.quick ? '(quick: sizes too small to trust) ' : ''}on ${report.machine}; Redis: ${report.redis}`,
    '',
    formatTable(report.rows),
    '',
    formatNotes(report.rows),
    '',
    `${report.rows.length} rows in ${seconds} s.`,
  ].join('\n');
}

export function toJson(report: BenchReport): string {
  return `${JSON.stringify({ generatedBy: 'npm run bench (bench/run.ts)', ...report }, null, 2)}\n`;
}
