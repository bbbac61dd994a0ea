/**
 * markdown-it plugin: a thematic break (`---` on a line of its own, with a blank line above)
 * at the top level starts a new slide. Each slide becomes
 * `<section class="slide" data-slide="N">`, numbered from 1; `env.slideCount` says how many.
 * Breaks inside lists, quotes or notes stay ordinary `<hr>`s.
 *
 * @example
 * const md = new MarkdownIt().use(slideBreak, { className: 'slide' });
 * md.render('# One\n\n---\n\n# Two', env); // two <section>s; env.slideCount === 2
 */
import type { MarkdownIt, StateCore } from 'markdown-it';

export interface SlideBreakOptions {
  /** @default 'slide' */
  className?: string;
}

/** Token types, for plugins that decorate a slide (see slide-class.ts). */
export const SLIDE_OPEN = 'slides_slide_open';
export const SLIDE_CLOSE = 'slides_slide_close';

export function slideBreak(md: MarkdownIt, options: SlideBreakOptions = {}): void {
  const className = options.className ?? 'slide';

  md.core.ruler.after('block', 'slides_break', (state: StateCore) => {
    const tokens = [];
    let count = 0;
    const open = () => {
      const token = new state.Token(SLIDE_OPEN, 'section', 1);
      token.block = true;
      token.attrSet('class', className);
      token.attrSet('data-slide', String(++count));
      return token;
    };
    const close = () => Object.assign(new state.Token(SLIDE_CLOSE, 'section', -1), { block: true });

    tokens.push(open());
    for (const token of state.tokens) {
      if (token.type === 'hr' && token.level === 0) tokens.push(close(), open());
      else tokens.push(token);
    }
    tokens.push(close());
    state.tokens = tokens;
    (state.env as { slideCount?: number }).slideCount = count;
  });

  md.renderer.rules[SLIDE_OPEN] = (tokens, idx, _options, _env, self) => `${self.renderToken(tokens, idx, _options)}\n`;
  md.renderer.rules[SLIDE_CLOSE] = (tokens, idx, _options, _env, self) => `${self.renderToken(tokens, idx, _options)}\n`;
}
