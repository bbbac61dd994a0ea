/**
 * A sequence drawing as inline SVG: a box per participant with a dashed lifeline below it,
 * arrows for messages (dashed for a request that waits), notes and dividers. Every word is
 * a real <text> element, so it can be searched, selected and read aloud.
 *
 * @example
 * sequenceToSvg('washer -> redis: RPUSH dishes salad\ndryer --> redis: BLPOP dishes 0')
 */
import { BOX_HEIGHT, LABEL_SIZE, layoutSequence, NAME_SIZE, NOTE_SIZE, noteWidth } from './sequence-layout.ts';
import { parseSequence, type Sequence, type SequenceEvent } from './sequence-parse.ts';
import { element, MONO, monoWidth, palette, round, SANS, text } from './svg.ts';

const INK = '#1f2937';
const MUTED = '#94a3b8';

export function sequenceToSvg(source: string, title?: string): string {
  const sequence = parseSequence(source);
  const layout = layoutSequence(sequence);
  const { xs, boxWidths, rows, bottom } = layout;
  let minX = Infinity;
  let maxX = -Infinity;
  const reach = (from: number, to: number) => {
    minX = Math.min(minX, from, to);
    maxX = Math.max(maxX, from, to);
  };

  const parts: string[] = [];
  sequence.participants.forEach((participant, i) => {
    const x = xs[i]!;
    const { fill, stroke } = palette(i);
    reach(x - boxWidths[i]! / 2, x + boxWidths[i]! / 2);
    parts.push(
      element('g', { class: 'participant', 'data-id': participant.id }, [
        element('line', { x1: x, y1: 8 + BOX_HEIGHT, x2: x, y2: bottom, stroke: MUTED, 'stroke-width': 1.5, 'stroke-dasharray': '5 5' }),
        element('rect', { x: x - boxWidths[i]! / 2, y: 8, width: boxWidths[i]!, height: BOX_HEIGHT, rx: 8, fill, stroke, 'stroke-width': 2 }),
        text(x, 8 + BOX_HEIGHT / 2 + NAME_SIZE * 0.36, participant.label, {
          'text-anchor': 'middle', 'font-family': SANS, 'font-size': NAME_SIZE, 'font-weight': 'bold', fill: INK,
        }),
      ].join('')),
    );
  });
  sequence.events.forEach((event, i) => parts.push(drawEvent(event, rows[i]!, sequence, xs, reach)));

  const left = minX - 16;
  const width = maxX - minX + 32;
  const height = bottom + 12;
  const label = title ?? `Sequence: ${sequence.participants.map((p) => p.label).join(', ')}`;
  return element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg', class: 'sequence-drawing', role: 'img', 'aria-label': label,
      viewBox: `${round(left)} 0 ${round(width)} ${round(height)}`, width: round(width), height: round(height),
      // A page may draw it larger to fill the room it has, up to half as large again.
      style: `max-width: ${round(width * 1.5)}px; max-height: ${round(height * 1.5)}px`,
    },
    element('title', {}, label.replace(/[<&]/g, ' ')) + parts.join(''),
  );
}

function drawEvent(event: SequenceEvent, y: number, sequence: Sequence, xs: number[], reach: (a: number, b: number) => void): string {
  const first = xs[0]!;
  const last = xs[xs.length - 1]!;
  if (event.kind === 'divider') {
    const labelWidth = monoWidth(event.text, LABEL_SIZE) + 20;
    const middle = (first + last) / 2;
    reach(first - 40, last + 40);
    return element('g', { class: 'divider' }, [
      element('line', { x1: first - 40, y1: y + 18, x2: last + 40, y2: y + 18, stroke: MUTED, 'stroke-width': 1.5 }),
      element('rect', { x: middle - labelWidth / 2, y: y + 5, width: labelWidth, height: 26, rx: 13, fill: '#f1f5f9', stroke: MUTED }),
      text(middle, y + 23.5, event.text, { 'text-anchor': 'middle', 'font-family': MONO, 'font-size': LABEL_SIZE - 1, fill: '#475569' }),
    ].join(''));
  }
  if (event.kind === 'note') {
    const over = event.over.map((i) => xs[i]!);
    const width = Math.max(noteWidth(event.text), Math.max(...over) - Math.min(...over) + 60);
    const middle = (Math.min(...over) + Math.max(...over)) / 2;
    reach(middle - width / 2, middle + width / 2);
    return element('g', { class: 'note' }, [
      element('rect', { x: middle - width / 2, y: y + 4, width, height: 36, rx: 4, fill: '#fef9c3', stroke: '#ca8a04', 'stroke-width': 1.2 }),
      text(middle, y + 27.5, event.text, { 'text-anchor': 'middle', 'font-family': SANS, 'font-size': NOTE_SIZE, 'font-style': 'italic', fill: INK }),
    ].join(''));
  }
  const { stroke } = palette(event.from);
  const from = xs[event.from]!;
  const to = xs[event.to]!;
  const line = { stroke, 'stroke-width': 2, fill: 'none', 'stroke-dasharray': event.dashed ? '7 5' : undefined };
  // A white outline under the letters keeps a label readable where a lifeline crosses it.
  const labelStyle = { 'font-family': MONO, 'font-size': LABEL_SIZE, fill: INK, stroke: '#fff', 'stroke-width': 5, 'paint-order': 'stroke', 'stroke-linejoin': 'round' };
  const kind = `message${event.dashed ? ' dashed' : ''}${event.from === event.to ? ' self' : ''}`;
  const data = { class: kind, 'data-from': sequence.participants[event.from]!.id, 'data-to': sequence.participants[event.to]!.id };
  if (event.from === event.to) {
    reach(from, from + 46 + monoWidth(event.label, LABEL_SIZE) + 16);
    return element('g', data, [
      element('path', { d: `M ${round(from)} ${y + 12} h 36 v 28 h -28`, ...line }),
      arrowHead(from + 2, y + 40, -1, stroke),
      text(from + 46, y + 32, event.label, labelStyle),
    ].join(''));
  }
  const direction = to > from ? 1 : -1;
  reach(from, to);
  return element('g', data, [
    text((from + to) / 2, y + 17, event.label, { ...labelStyle, 'text-anchor': 'middle' }),
    element('line', { x1: from, y1: y + 28, x2: to - direction * 9, y2: y + 28, ...line }),
    arrowHead(to - direction * 1, y + 28, direction, stroke),
  ].join(''));
}

function arrowHead(x: number, y: number, direction: number, color: string): string {
  const back = x - direction * 11;
  return element('polygon', { points: `${round(x)},${round(y)} ${round(back)},${round(y - 5.5)} ${round(back)},${round(y + 5.5)}`, fill: color });
}
