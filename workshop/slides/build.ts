/**
 * Builds every deck to static HTML in slides/dist/: one page per deck, the index, and the
 * assets they share. Returns what it built and how long it took.
 *
 * @example
 * const { decks, ms } = await buildSlides(); // slides/dist/index.html, slides/dist/02-washer-dryer.html, …
 */
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lessons as manifestLessons, type LessonInfo } from '../manifest.ts';
import { deckMarkdown, listDecks } from './decks.ts';
import { HIGHLIGHT_THEME } from './highlight.ts';
import { createMarkdown } from './markdown.ts';
import { type BuiltDeck, deckPage, indexPage } from './page.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));
/** Kept across builds: the browser test writes its screenshots there. */
const KEEP = new Set(['screenshots']);

export interface BuildOptions {
  /** @default the repository's slides/ */
  slidesDir?: string;
  /** @default slides/dist/ */
  outDir?: string;
  lessons?: readonly LessonInfo[];
}

export interface BuildResult {
  outDir: string;
  decks: BuiltDeck[];
  warnings: string[];
  ms: number;
}

export async function buildSlides(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const slidesDir = options.slidesDir ?? join(ROOT, 'slides');
  const outDir = options.outDir ?? join(slidesDir, 'dist');
  const lessons = options.lessons ?? manifestLessons;
  const { decks, warnings } = listDecks(slidesDir, lessons);
  const names = new Set(decks.map((deck) => deck.name));
  const md = createMarkdown({ lessons, href: (lesson) => (names.has(lesson.slug) ? `${lesson.slug}.html` : undefined) });

  const pages = decks.map((deck) => {
    const env: { slideCount?: number } = {};
    let body: string;
    try {
      body = md.render(deckMarkdown(deck, lessons), env);
    } catch (error) {
      throw new Error(`slides/${deck.name}.md: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const built: BuiltDeck = { ...deck, slides: env.slideCount ?? 0 };
    return { built, html: deckPage(built, body) };
  });

  await mkdir(outDir, { recursive: true });
  for (const entry of await readdir(outDir)) if (!KEEP.has(entry)) await rm(join(outDir, entry), { recursive: true, force: true });
  await mkdir(join(outDir, 'assets'));
  for (const asset of await readdir(ASSETS)) await copyFile(join(ASSETS, asset), join(outDir, 'assets', asset));
  await copyFile(fileURLToPath(import.meta.resolve(HIGHLIGHT_THEME)), join(outDir, 'assets', 'highlight.css'));
  for (const { built, html } of pages) await writeFile(join(outDir, `${built.name}.html`), html);
  const decksBuilt = pages.map((page) => page.built);
  await writeFile(join(outDir, 'index.html'), indexPage(decksBuilt));
  return { outDir, decks: decksBuilt, warnings, ms: performance.now() - started };
}
