/**
 * The markdown-it that renders the decks: CommonMark with tables, code highlighted at build
 * time, and one plugin per custom syntax.
 *
 * @example
 * const md = createMarkdown({ lessons, href: (lesson) => `${lesson.slug}.html` });
 * const env = {};
 * const html = md.render(source, env); // env.slideCount: how many slides
 */
import markdownIt, { type MarkdownIt } from 'markdown-it';
import type { LessonInfo } from '../manifest.ts';
import { highlight } from './highlight.ts';
import { lessonList } from './plugins/lesson-list.ts';
import { sequenceDrawing } from './plugins/sequence.ts';
import { slideBreak } from './plugins/slide-break.ts';
import { slideClass } from './plugins/slide-class.ts';
import { speakerNotes } from './plugins/speaker-notes.ts';

export interface MarkdownOptions {
  lessons: readonly LessonInfo[];
  href?: (lesson: LessonInfo) => string | undefined;
}

/** The classes a slide may take with `<!-- class: … -->`; deck.css styles each. */
export const SLIDE_CLASSES = ['title', 'picture', 'center', 'small'] as const;

export function createMarkdown(options: MarkdownOptions): MarkdownIt {
  // html: false: a deck is text, and raw HTML in one would bypass the plugins and the escaping.
  return markdownIt('commonmark', { html: false, typographer: false, highlight })
    .enable('table')
    .use(slideBreak)
    .use(slideClass, { allowed: SLIDE_CLASSES })
    .use(speakerNotes)
    .use(sequenceDrawing)
    .use(lessonList, options);
}
