/**
 * markdown-it plugin: `<!-- class: title -->` on a line of its own adds classes to the slide
 * it is on (like Marp's directives). The line itself renders as nothing, and GitHub hides it
 * too, since it is an HTML comment.
 *
 * @example
 * md.use(slideBreak).use(slideClass);
 * md.render('<!-- class: title -->\n# Lesson 02'); // <section class="slide title" …>
 */
import type { MarkdownIt, StateBlock, StateCore } from 'markdown-it';
import { SLIDE_OPEN } from './slide-break.ts';

export interface SlideClassOptions {
  /** Class names allowed; any other is an error, so a typo shows at build time. @default any */
  allowed?: readonly string[];
}

const DIRECTIVE = /^<!--\s*class:\s*([\w\s-]+?)\s*-->$/;
const TOKEN = 'slides_class';

export function slideClass(md: MarkdownIt, options: SlideClassOptions = {}): void {
  md.block.ruler.before('html_block', TOKEN, (state: StateBlock, startLine: number, _endLine: number, silent: boolean) => {
    const line = state.src.slice(state.bMarks[startLine]! + state.tShift[startLine]!, state.eMarks[startLine]!).trim();
    const match = DIRECTIVE.exec(line);
    if (!match) return false;
    const names = match[1]!.split(/\s+/);
    const unknown = names.filter((name) => options.allowed && !options.allowed.includes(name));
    if (unknown.length > 0) {
      throw new Error(`line ${startLine + 1}: unknown slide class "${unknown.join(' ')}"; use one of ${options.allowed!.join(', ')}`);
    }
    if (silent) return true;
    const token = state.push(TOKEN, '', 0);
    token.meta = { names };
    token.map = [startLine, startLine + 1];
    state.line = startLine + 1;
    return true;
  }, { alt: ['paragraph'] });

  // After the slides exist: hand each directive's classes to the slide around it.
  md.core.ruler.push('slides_class_apply', (state: StateCore) => {
    let slide: (typeof state.tokens)[number] | undefined;
    for (const token of state.tokens) {
      if (token.type === SLIDE_OPEN) slide = token;
      if (token.type === TOKEN && slide) for (const name of (token.meta as { names: string[] }).names) slide.attrJoin('class', name);
    }
  });

  md.renderer.rules[TOKEN] = () => '';
}
