import { describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { parseSequence } from '../../workshop/slides/drawing/sequence-parse.ts';
import { sequenceToSvg } from '../../workshop/slides/drawing/sequence-svg.ts';
import { createMarkdown } from '../../workshop/slides/markdown.ts';
import { parseHtml, select, textOf } from './support/html.ts';

const DRAWING = [
  'participant redis as Redis list',
  'dryer --> redis: BLPOP dishes 0   # blocked',
  'washer -> redis: RPUSH dishes salad',
  'redis -> dryer: salad',
  'dryer -> dryer: dry it',
  'note over redis, dryer: parked',
  '== later ==',
].join('\n');

describe('parseSequence', () => {
  it('reads participants in order of appearance, messages, notes and dividers', () => {
    const sequence = parseSequence(DRAWING);
    expect(sequence.participants).toEqual([
      { id: 'redis', label: 'Redis list' },
      { id: 'dryer', label: 'dryer' },
      { id: 'washer', label: 'washer' },
    ]);
    expect(sequence.events.map((event) => event.kind)).toEqual(['message', 'message', 'message', 'message', 'note', 'divider']);
    expect(sequence.events[0]).toEqual({ kind: 'message', from: 1, to: 0, label: 'BLPOP dishes 0', dashed: true });
    expect(sequence.events[4]).toEqual({ kind: 'note', over: [0, 1], text: 'parked' });
  });

  it('says which line it cannot read, and what it can', () => {
    expect(() => parseSequence('a -> b: fine\nthis is not a drawing')).toThrow(/line 2 of the drawing: cannot read "this is not a drawing"; write "a -> b: text"/);
  });
});

describe('sequenceToSvg', () => {
  const svg = parseHtml(sequenceToSvg(DRAWING, 'The dryer waits'));

  it('draws a box with a real <text> for each participant', () => {
    const names = select(svg, 'g.participant').map((g) => textOf(select(g, 'text')[0]!));
    expect(names).toEqual(['Redis list', 'dryer', 'washer']);
    expect(select(svg, 'g.participant > rect')).toHaveLength(3);
  });

  it('draws each message as an arrow with its label, dashed when it waits', () => {
    const messages = select(svg, 'g.message');
    expect(messages.map((g) => textOf(g))).toEqual(['BLPOP dishes 0', 'RPUSH dishes salad', 'salad', 'dry it']);
    expect(select(svg, 'g.message.dashed').map((g) => g.attrs['data-from'])).toEqual(['dryer']);
    expect(select(svg, 'g.message.dashed > line')[0]!.attrs['stroke-dasharray']).toBeTruthy();
    expect(select(svg, 'g.message polygon'), 'every arrow has a head').toHaveLength(4);
    expect(select(svg, 'g.message.self > path')).toHaveLength(1);
  });

  it('is accessible and sized by its viewBox', () => {
    const root = select(svg, 'svg')[0]!;
    expect(root.attrs['aria-label']).toBe('The dryer waits');
    expect(textOf(select(root, 'title')[0]!)).toBe('The dryer waits');
    const [, , width, height] = root.attrs.viewbox!.split(' ').map(Number);
    expect(width).toBeGreaterThan(300);
    expect(height).toBeGreaterThan(200);
  });

  it('escapes text', () => {
    const escaped = parseHtml(sequenceToSvg('a -> b: <script>&'));
    expect(select(escaped, 'script')).toHaveLength(0);
    expect(textOf(select(escaped, 'g.message text')[0]!)).toBe('<script>&');
  });
});

describe('the sequence plugin', () => {
  const md = createMarkdown({ lessons });

  it('turns a ```sequence fence into a figure with inline SVG and a caption', () => {
    const root = parseHtml(md.render('```sequence Who waits\na -> b: hi\n```\n'));
    expect(select(root, 'figure.sequence > svg.sequence-drawing')).toHaveLength(1);
    expect(select(root, 'figure.sequence > figcaption').map(textOf)).toEqual(['Who waits']);
    expect(select(root, 'img'), 'no picture of text').toHaveLength(0);
  });

  it('hands any other fence to the previous renderer', () => {
    const root = parseHtml(md.render('```text\na -> b: hi\n```\n'));
    expect(select(root, 'svg')).toHaveLength(0);
    expect(textOf(select(root, 'pre > code')[0]!)).toBe('a -> b: hi\n');
  });

  it('reports a bad line by its line number in the deck', () => {
    expect(() => md.render('# Title\n\n```sequence\na -> b: ok\nnonsense\n```\n')).toThrow(/line 5 of the deck: cannot read "nonsense"/);
  });
});
