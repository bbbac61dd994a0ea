/**
 * Judges a measured row against its goal, and puts both on one scale for the chart: the
 * "score" is 1 exactly at the goal and larger when better, whichever way the goal points.
 */
import type { Goal, Measured, RowSpec } from './item.ts';

export interface RowResult extends RowSpec {
  status: 'measured' | 'not done yet' | 'failed';
  figure?: number;
  baseline?: number;
  /** figure / baseline. */
  ratio?: number;
  /** Undefined when there is no goal or nothing was measured. */
  met?: boolean;
  /** The figure on the goal's scale: 1 at the goal, above 1 better (for no goal: the same against the baseline). */
  score?: number;
  /** The baseline on the same scale. */
  baselineScore?: number;
  note?: string;
  error?: string;
}

/** `≥ 2x`, `≤ 1.5x`, `< 20 ms`, or `none yet`. */
export function goalText(goal: Goal, unit: string): string {
  switch (goal.kind) {
    case 'min-ratio':
      return `>= ${goal.value}x`;
    case 'max-ratio':
      return `<= ${goal.value}x`;
    case 'max-value':
      return `< ${goal.value} ${unit}`;
    case 'none':
      return 'none yet';
  }
}

/** Where `value` (the figure or the baseline) stands relative to the goal. */
function scoreOf(goal: Goal, value: number, baseline: number, lowerIsBetter: boolean): number {
  switch (goal.kind) {
    case 'min-ratio':
      return value / baseline / goal.value;
    case 'max-ratio':
      return goal.value / (value / baseline);
    case 'max-value':
      return goal.value / value;
    case 'none':
      return lowerIsBetter ? baseline / value : value / baseline;
  }
}

export function judge(spec: RowSpec, measured: Measured): RowResult {
  const { figure, baseline } = measured;
  const ratio = figure / baseline;
  const { goal } = spec;
  let met: boolean | undefined;
  if (goal.kind === 'min-ratio') met = ratio >= goal.value;
  else if (goal.kind === 'max-ratio') met = ratio <= goal.value;
  else if (goal.kind === 'max-value') met = figure < goal.value;
  return {
    ...spec,
    baselineWhat: measured.baselineWhat ?? spec.baselineWhat,
    whyMissed: measured.whyMissed ?? spec.whyMissed,
    status: 'measured',
    figure,
    baseline,
    ratio,
    met,
    score: scoreOf(goal, figure, baseline, spec.lowerIsBetter ?? false),
    baselineScore: scoreOf(goal, baseline, baseline, spec.lowerIsBetter ?? false),
    note: measured.note,
  };
}

/** A row that has no figure: the code is a starter, or the item failed. */
export function unmeasured(spec: RowSpec, error: unknown, todo: boolean): RowResult {
  if (todo) return { ...spec, status: 'not done yet' };
  const message = error instanceof Error ? error.message : String(error);
  return { ...spec, status: 'failed', error: message.split('\n')[0] };
}
