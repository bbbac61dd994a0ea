/**
 * markdown-it plugin: a fenced block in the `sequence` language becomes a drawing, as inline
 * SVG made at build time (see ../drawing/sequence-parse.ts for the syntax). Any other fence
 * goes to the renderer that was there before. Words after the language name become the
 * caption and the drawing's accessible name.
 *
 * ````md
 * ```sequence The dryer waits inside Redis
 * dryer --> redis: BLPOP dishes 0
 * washer -> redis: RPUSH dishes salad
 * redis -> dryer: salad
 * ```
 * ````
 */
import type { MarkdownIt } from 'markdown-it';
import { sequenceToSvg } from '../drawing/sequence-svg.ts';
import { SequenceSyntaxError } from '../drawing/sequence-parse.ts';

export interface SequenceOptions {
  /** The fence's language name. @default 'sequence' */
  language?: string;
}

export function sequenceDrawing(md: MarkdownIt, options: SequenceOptions = {}): void {
  const language = options.language ?? 'sequence';
  const previous = md.renderer.rules.fence ?? ((tokens, idx, opts, _env, self) => self.renderToken(tokens, idx, opts));

  md.renderer.rules.fence = (tokens, idx, opts, env, self) => {
    const token = tokens[idx]!;
    const [name = '', ...words] = token.info.trim().split(/\s+/);
    if (name !== language) return previous(tokens, idx, opts, env, self);
    const caption = words.join(' ');
    let svg: string;
    try {
      svg = sequenceToSvg(token.content, caption || undefined);
    } catch (error) {
      if (!(error instanceof SequenceSyntaxError)) throw error;
      // Point at the line in the markdown file: the fence opens at map[0], its text starts one line later.
      const line = (token.map?.[0] ?? 0) + 1 + error.line;
      throw new SequenceSyntaxError(line, error.detail, 'of the deck', { cause: error });
    }
    const figcaption = caption ? `<figcaption>${md.utils.escapeHtml(caption)}</figcaption>` : '';
    return `<figure class="sequence">${svg}${figcaption}</figure>\n`;
  };
}
