import markdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { createMarkdown } from '../../workshop/slides/markdown.ts';
import { lessonList } from '../../workshop/slides/plugins/lesson-list.ts';
import { slideBreak } from '../../workshop/slides/plugins/slide-break.ts';
import { speakerNotes } from '../../workshop/slides/plugins/speaker-notes.ts';
import { parseHtml, select, textOf } from './support/html.ts';

function render(source: string, env: { slideCount?: number } = {}) {
  return parseHtml(createMarkdown({ lessons, href: (lesson) => `${lesson.slug}.html` }).render(source, env));
}

describe('slideBreak', () => {
  it('starts a new numbered slide at each top-level ---', () => {
    const env: { slideCount?: number } = {};
    const root = render('# One\n\ntext\n\n---\n\n# Two\n\n---\n\n# Three', env);
    const slides = select(root, 'section.slide');
    expect(slides.map((slide) => slide.attrs['data-slide']), 'slides are numbered from 1').toEqual(['1', '2', '3']);
    expect(slides.map((slide) => textOf(select(slide, 'h1')[0]!)), 'each heading lands on its own slide').toEqual(['One', 'Two', 'Three']);
    expect(select(root, 'hr'), 'a break becomes a slide, not a rule').toHaveLength(0);
    expect(env.slideCount).toBe(3);
  });

  it('keeps a --- inside a list or a quote as a rule', () => {
    const root = render('- a\n\n  ---\n\n> quoted\n>\n> ---\n');
    expect(select(root, 'section.slide')).toHaveLength(1);
    expect(select(root, 'li hr')).toHaveLength(1);
    expect(select(root, 'blockquote hr')).toHaveLength(1);
  });

  it('takes its class name from the options', () => {
    const md = markdownIt().use(slideBreak, { className: 'page' });
    expect(select(parseHtml(md.render('a\n\n***\n\nb')), 'section.page')).toHaveLength(2);
  });
});

describe('speakerNotes', () => {
  it('renders ::: notes as an aside on its slide, with markdown inside', () => {
    const root = render('# Slide\n\n::: notes\nSay *this*.\n\n- and this\n:::\n\nafter\n\n---\n\n# Next');
    const notes = select(root, 'section[data-slide=1] > aside.notes');
    expect(notes, 'the notes belong to slide 1').toHaveLength(1);
    expect(select(notes[0]!, 'em').map(textOf)).toEqual(['this']);
    expect(select(notes[0]!, 'li').map(textOf)).toEqual(['and this']);
    expect(select(root, 'section[data-slide=1] > p').map(textOf), 'text after ::: is back on the slide').toEqual(['after']);
    expect(select(root, 'section[data-slide=2] aside')).toHaveLength(0);
  });

  it('does not split a slide at a --- inside the notes', () => {
    const root = render('a\n\n::: notes\none\n\n---\n\ntwo\n:::\n');
    expect(select(root, 'section.slide')).toHaveLength(1);
    expect(select(root, 'aside.notes hr')).toHaveLength(1);
  });

  it('leaves other ::: lines alone and takes a custom marker', () => {
    const md = markdownIt().use(speakerNotes, { marker: 'speaker', className: 'talk' });
    const root = parseHtml(md.render('::: other\ntext\n:::\n\n::: speaker\nhello\n:::\n'));
    expect(select(root, 'aside.talk').map(textOf).map((t) => t.trim())).toEqual(['hello']);
    expect(select(root, 'p').map(textOf)[0]).toContain('::: other');
  });
});

describe('slideClass', () => {
  it('adds the classes of <!-- class: … --> to the slide it is on, and renders nothing', () => {
    const root = render('# A\n\n---\n\n<!-- class: title center -->\n# B');
    expect(select(root, 'section.slide.title.center').map((s) => s.attrs['data-slide'])).toEqual(['2']);
    expect(textOf(root)).not.toContain('class:');
  });

  it('throws on a class the decks do not style, naming the line', () => {
    expect(() => render('a\n\n<!-- class: tilte -->')).toThrow(/line 3: unknown slide class "tilte"/);
  });
});

describe('lessonList', () => {
  it('lists every lesson of the manifest, in order, linked to its deck', () => {
    const items = select(render('<!-- lessons -->'), 'ol.lesson-list > li');
    expect(items.map((item) => item.attrs['data-lesson'])).toEqual(lessons.map((lesson) => lesson.id));
    expect(items.map((item) => textOf(select(item, 'a')[0]!))).toEqual(lessons.map((lesson) => lesson.title));
    expect(select(items[0]!, 'a')[0]!.attrs.href).toBe(`${lessons[0]!.slug}.html`);
  });

  it('insists on the lesson list as its option', () => {
    expect(() => markdownIt().use(lessonList, undefined as never)).toThrow(TypeError);
  });
});

describe('code blocks', () => {
  it('highlights TypeScript at build time and leaves unknown languages as plain text', () => {
    const root = render('```ts\nconst x: number = 1;\n```\n\n```nosuchlang\n<b>as is</b>\n```');
    const [ts, other] = select(root, 'pre > code');
    expect(ts!.attrs.class).toBe('language-ts');
    expect(select(ts!, 'span.hljs-keyword').map(textOf)).toEqual(['const']);
    expect(select(other!, 'span'), 'no highlighting for an unknown language').toHaveLength(0);
    expect(textOf(other!)).toContain('<b>as is</b>');
  });
});
