import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { buildSlides, type BuildResult } from '../../workshop/slides/build.ts';
import { serveDirectory } from '../../workshop/slides/serve.ts';
import { type HtmlElement, parseHtml, select, textOf } from './support/html.ts';

let out: string;
let result: BuildResult;
const page = async (name: string) => parseHtml(await readFile(join(out, name), 'utf8'));

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'slides-build-'));
  result = await buildSlides({ outDir: out });
});
afterAll(() => rm(out, { recursive: true, force: true }));

describe('buildSlides()', () => {
  it('builds the opening deck and one deck per lesson of the manifest, listed in the index in that order', async () => {
    const names = result.decks.map((deck) => deck.name);
    expect(names[0]).toBe('00-opening');
    expect(names.slice(1, lessons.length + 1), 'the manifest decides the lessons and their order').toEqual(lessons.map((l) => l.slug));
    const index = await page('index.html');
    expect(select(index, 'ol.decks > li').map((li) => li.attrs['data-deck'])).toEqual(names);
    const titles = select(index, 'ol.decks a.deck-link').map(textOf);
    for (const lesson of lessons) expect(titles, `the index shows lesson ${lesson.id}'s title from the manifest`).toContain(lesson.title);
  });

  it('builds every slides/NN-*.md, even one whose lesson is not in the manifest yet', async () => {
    const sources = await readdir(new URL('../../slides/', import.meta.url));
    for (const file of sources.filter((f) => /^\d\d-.+\.md$/.test(f))) {
      expect(result.decks.map((deck) => `${deck.name}.md`), `${file} is built`).toContain(file);
    }
  });

  describe.each(lessons.map((lesson) => [lesson.slug, lesson] as const))('the deck of %s', (slug, lesson) => {
    let slides: HtmlElement[];
    beforeAll(async () => {
      slides = select(await page(`${slug}.html`), 'main.deck > section.slide');
    });
    const headings = () => slides.map((slide) => textOf(select(slide, 'h1')[0] ?? select(slide, 'h2')[0] ?? slide).trim());

    it('opens with a title slide made from the manifest: title and every step', () => {
      const [title] = slides;
      expect(title!.attrs.class).toContain('title');
      expect(textOf(select(title!, 'h1')[0]!)).toBe(lesson.title);
      for (const step of lesson.steps) expect(textOf(title!)).toContain(`${step.id} ${step.title}`);
    });

    it('has the problem, a picture drawn as SVG with real text, a pattern in TypeScript and the pitfalls', () => {
      expect(headings()).toContain('The problem');
      expect(headings()).toContain('Pitfalls');
      const pictures = slides.filter((slide) => select(slide, 'figure.sequence > svg').length > 0);
      expect(pictures.length, 'a picture slide').toBeGreaterThan(0);
      expect(select(pictures[0]!, 'svg text').length).toBeGreaterThan(5);
      expect(slides.some((slide) => select(slide, 'pre > code.language-ts').length > 0), 'a TypeScript pattern').toBe(true);
      expect(slides.some((slide) => select(slide, 'aside.notes').length > 0), 'speaker notes somewhere').toBe(true);
    });

    it('ends with the steps to do next and how to check each', () => {
      const last = slides[slides.length - 1]!;
      expect(textOf(select(last, 'h2')[0]!)).toBe('Your turn');
      for (const step of lesson.steps) expect(textOf(last)).toContain(`npm run verify -- ${step.id}`);
    });
  });

  it('makes pages that need nothing from outside: relative scripts and styles, no @import or remote url()', async () => {
    for (const file of (await readdir(out)).filter((f) => f.endsWith('.html'))) {
      const root = await page(file);
      const refs = [...select(root, 'script'), ...select(root, 'link'), ...select(root, 'img')].map((el) => el.attrs.src ?? el.attrs.href ?? '');
      for (const ref of refs) expect(ref, `${file} loads ${ref}`).toMatch(/^(assets\/[\w.-]+|data:,)$/);
    }
    for (const file of await readdir(join(out, 'assets'))) {
      const text = await readFile(join(out, 'assets', file), 'utf8');
      expect(text, `${file} imports nothing`).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
    }
  });
});

describe('serveDirectory()', () => {
  const get = (port: number, path: string, method = 'GET') =>
    new Promise<number>((done, fail) => {
      request({ host: '127.0.0.1', port, path, method }, (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      }).on('error', fail).end();
    });

  it('serves the built files on 127.0.0.1 and nothing outside its folder', async () => {
    const server = await serveDirectory(out, { port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(await get(server.port, '/')).toBe(200);
      expect(await get(server.port, '/assets/deck.js', 'HEAD')).toBe(200);
      expect(await get(server.port, '/../package.json')).toBe(404);
      expect(await get(server.port, '/%2e%2e/package.json')).toBe(404);
      expect(await get(server.port, '/index.html', 'POST')).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('rejects a port that is not one, naming it', async () => {
    await expect(serveDirectory(out, { port: 70000 })).rejects.toThrow(/`port`.*70000/);
  });
});
