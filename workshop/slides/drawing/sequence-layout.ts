/**
 * Where things go in a sequence drawing: the x of each participant's lifeline, wide enough
 * apart for the labels between them, and the height of each row.
 */
import type { Sequence, SequenceEvent } from './sequence-parse.ts';
import { monoWidth, sansWidth } from './svg.ts';

export const LABEL_SIZE = 17;
export const NAME_SIZE = 19;
export const NOTE_SIZE = 16;
export const BOX_HEIGHT = 44;

export interface Layout {
  /** x of each participant's lifeline. */
  xs: number[];
  /** Width of each participant's box. */
  boxWidths: number[];
  /** y where each event's row starts. */
  rows: number[];
  /** y where the lifelines end. */
  bottom: number;
}

export function rowHeight(event: SequenceEvent): number {
  if (event.kind === 'message') return event.from === event.to ? 56 : 44;
  if (event.kind === 'note') return 44;
  return 40;
}

export function noteWidth(content: string): number {
  return sansWidth(content, NOTE_SIZE) + 28;
}

export function layoutSequence(sequence: Sequence): Layout {
  const { participants, events } = sequence;
  const boxWidths = participants.map((p) => Math.max(110, sansWidth(p.label, NAME_SIZE, true) + 32));
  const gaps = boxWidths.slice(1).map((width, i) => Math.max(150, (boxWidths[i]! + width) / 2 + 48));

  // Widen the gaps a label must fit in; a label spanning several gaps widens each by a share.
  const widen = (from: number, to: number, need: number) => {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const have = gaps.slice(lo, hi).reduce((sum, gap) => sum + gap, 0);
    if (have < need) for (let i = lo; i < hi; i++) gaps[i]! += (need - have) / (hi - lo);
  };
  for (const event of events) {
    if (event.kind === 'message' && event.from !== event.to) widen(event.from, event.to, monoWidth(event.label, LABEL_SIZE) + 44);
    if (event.kind === 'message' && event.from === event.to && event.from < gaps.length) {
      widen(event.from, event.from + 1, monoWidth(event.label, LABEL_SIZE) + 64 + boxWidths[event.from + 1]! / 2);
    }
    if (event.kind === 'note' && event.over.length > 1) {
      widen(Math.min(...event.over), Math.max(...event.over), noteWidth(event.text) - 40);
    }
  }

  const xs = [0];
  for (const gap of gaps) xs.push(xs[xs.length - 1]! + gap);
  const rows: number[] = [];
  let y = 8 + BOX_HEIGHT + 26;
  for (const event of events) {
    rows.push(y);
    y += rowHeight(event);
  }
  return { xs, boxWidths, rows, bottom: y };
}
