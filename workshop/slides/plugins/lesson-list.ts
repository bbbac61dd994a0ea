/**
 * markdown-it plugin: `<!-- lessons -->` on a line of its own becomes the list of lessons,
 * taken from the manifest (so no deck repeats it), each linked to its deck.
 *
 * @example
 * md.use(lessonList, { lessons, href: (lesson) => `${lesson.slug}.html` });
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';
import type { LessonInfo } from '../../manifest.ts';

export interface LessonListOptions {
  lessons: readonly LessonInfo[];
  /** Where a lesson's entry links to; no link when absent. */
  href?: (lesson: LessonInfo) => string | undefined;
}

const TOKEN = 'slides_lesson_list';
const DIRECTIVE = /^<!--\s*lessons\s*-->$/;

export function lessonList(md: MarkdownIt, options: LessonListOptions): void {
  if (!options || !Array.isArray(options.lessons)) {
    throw new TypeError(`Expected options.lessons to be the manifest's lesson list, got \`${String(options?.lessons)}\``);
  }
  md.block.ruler.before('html_block', TOKEN, (state: StateBlock, startLine: number, _endLine: number, silent: boolean) => {
    const line = state.src.slice(state.bMarks[startLine]! + state.tShift[startLine]!, state.eMarks[startLine]!).trim();
    if (!DIRECTIVE.test(line)) return false;
    if (silent) return true;
    state.push(TOKEN, 'ol', 0).map = [startLine, startLine + 1];
    state.line = startLine + 1;
    return true;
  }, { alt: ['paragraph'] });

  const escape = md.utils.escapeHtml;
  md.renderer.rules[TOKEN] = () => {
    const items = options.lessons.map((lesson) => {
      const href = options.href?.(lesson);
      const title = href ? `<a href="${escape(href)}">${escape(lesson.title)}</a>` : escape(lesson.title);
      const steps = lesson.steps.map((step) => step.id);
      const range = steps.length > 1 ? `${steps[0]}–${steps[steps.length - 1]}` : steps[0];
      return `<li data-lesson="${escape(lesson.id)}"><span class="lesson-id">${escape(lesson.id)}</span> ${title} <span class="lesson-steps">${escape(range ?? '')}</span></li>`;
    });
    return `<ol class="lesson-list">\n${items.join('\n')}\n</ol>\n`;
  };
}
