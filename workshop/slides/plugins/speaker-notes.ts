/**
 * markdown-it plugin: speaker notes, in the fenced-div form pandoc uses. The notes are
 * markdown; they render as `<aside class="notes">`, hidden on the slide and shown in the
 * speaker view.
 *
 * ```md
 * ::: notes
 * Ask who has written a polling loop.
 * :::
 * ```
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';

export interface SpeakerNotesOptions {
  /** The word after `:::`. @default 'notes' */
  marker?: string;
  /** @default 'notes' */
  className?: string;
}

export function speakerNotes(md: MarkdownIt, options: SpeakerNotesOptions = {}): void {
  const marker = options.marker ?? 'notes';
  const className = options.className ?? 'notes';
  const opening = new RegExp(`^:::\\s*${marker}\\s*$`);

  const lineText = (state: StateBlock, line: number) =>
    state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!);

  const rule = (state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean => {
    if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
    if (!opening.test(lineText(state, startLine))) return false;
    let closeLine = startLine + 1;
    while (closeLine < endLine && !(lineText(state, closeLine).trim() === ':::' && state.sCount[closeLine]! <= state.blkIndent)) closeLine++;
    if (silent) return true;

    const oldParent = state.parentType;
    const oldLineMax = state.lineMax;
    state.parentType = 'blockquote';
    state.lineMax = closeLine;
    const open = state.push('slides_notes_open', 'aside', 1);
    open.block = true;
    open.attrSet('class', className);
    open.map = [startLine, closeLine];
    state.md.block.tokenize(state, startLine + 1, closeLine);
    state.push('slides_notes_close', 'aside', -1).block = true;
    state.parentType = oldParent;
    state.lineMax = oldLineMax;
    // An unclosed block runs to the end of the deck, like an unclosed code fence.
    state.line = Math.min(closeLine + 1, endLine);
    return true;
  };

  md.block.ruler.before('fence', 'slides_notes', rule, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.renderer.rules.slides_notes_open = (tokens, idx, opts, _env, self) => `${self.renderToken(tokens, idx, opts)}\n`;
  md.renderer.rules.slides_notes_close = (tokens, idx, opts, _env, self) => `${self.renderToken(tokens, idx, opts)}\n`;
}
