/**
 * The decks in a real browser (Debian's Chromium): the index, every deck walked with the keyboard,
 * the URL following, a reload staying put, the speaker view in sync, printing one slide per page.
 * Screenshots of each lesson's picture slide go to slides/dist/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlides, type BuildResult } from '../../workshop/slides/build.ts';
import { type RunningServer, serveDirectory } from '../../workshop/slides/serve.ts';
import { type GuardedBrowser, hashOf, launchGuarded, onSlide, slideState } from './support/browser.ts';

let built: BuildResult;
let server: RunningServer;
let browser: GuardedBrowser;
let page: Page;

beforeAll(async () => {
  built = await buildSlides();
  server = await serveDirectory(built.outDir, { port: 0 });
  browser = await launchGuarded(server.url);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the slides in Chromium', () => {
  it('walks every deck from the index with the keyboard, the URL following each slide', async () => {
    const forward = ['ArrowRight', 'Space', 'PageDown', 'ArrowDown'];
    const backward = ['ArrowLeft', 'PageUp', 'ArrowUp'];
    await mkdir(join(built.outDir, 'screenshots'), { recursive: true });
    const shots: string[] = [];
    const overflows: string[] = [];
    await page.goto(server.url);
    const links = await page.locator('ol.decks a.deck-link').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    expect(links, 'the index links to every deck').toEqual(built.decks.map((deck) => `${server.url}${deck.name}.html`));
    for (const [i, deck] of built.decks.entries()) {
      // The first deck is opened by a click on the index; the others straight away (a page load each is enough).
      if (i === 0) await page.locator(`li[data-deck="${deck.name}"] a.deck-link`).click();
      else await page.goto(`${server.url}${deck.name}.html`);
      expect((await slideState(page, 1)).overflow, `${deck.name}: slide 1 fits`).toEqual([]);
      // The page's own location: Playwright's page.url() learns of replaceState() a moment later.
      expect(await page.evaluate(() => location.href), 'a deck opens on its first slide').toBe(`${server.url}${deck.name}.html#1`);
      for (let n = 2; n <= deck.slides; n++) {
        await page.keyboard.press(forward[n % forward.length]!);
        const state = await slideState(page, n);
        expect(state.hash, `${deck.name}: the URL shows slide ${n}`).toBe(`#${n}`);
        expect(state.shown, `${deck.name}: slide ${n} is the one on screen`).toBe(String(n));
        overflows.push(...state.overflow.map((what) => `${deck.name} slide ${n}: ${what}`));
        if (deck.lesson && state.picture && !shots.some((shot) => shot.endsWith(`${deck.name}.png`))) {
          const path = join(built.outDir, 'screenshots', `${deck.name}.png`);
          await page.screenshot({ path });
          shots.push(path);
        }
      }
      await page.keyboard.press('ArrowRight'); // past the end: stays on the last slide
      await onSlide(page, deck.slides);
      for (let n = deck.slides - 1; n >= Math.max(1, deck.slides - 3); n--) {
        await page.keyboard.press(backward[n % backward.length]!);
        await onSlide(page, n);
        expect(hashOf(page)).toBe(`#${n}`);
      }
      await page.keyboard.press('End');
      await onSlide(page, deck.slides);
      await page.keyboard.press('Home');
      await onSlide(page, 1);
      if (i === 0) {
        await page.locator('a.home').click();
        await page.locator('ol.decks').waitFor();
      }
    }
    console.log(`Screenshots of the picture slides:\n${shots.map((shot) => `  ${shot}`).join('\n')}`);
    expect(overflows, 'every slide fits: shorten what sticks out').toEqual([]);
    expect(shots, 'one screenshot per lesson deck').toHaveLength(built.decks.filter((deck) => deck.lesson).length);
    expect(browser.problems).toEqual([]);
  }, 30_000);

  it('stays on the same slide after a reload', async () => {
    const deck = built.decks[1]!;
    await page.goto(`${server.url}${deck.name}.html#3`);
    await onSlide(page, 3);
    await page.reload();
    await onSlide(page, 3);
    expect(hashOf(page)).toBe('#3');
    expect(browser.problems).toEqual([]);
  });

  it('opens a speaker view with S that shows notes, the next slide and a timer, and keeps both windows in step', async () => {
    const deck = built.decks.find((candidate) => candidate.lesson)!;
    await page.goto(`${server.url}${deck.name}.html#1`);
    await onSlide(page, 1);
    const [speaker] = await Promise.all([browser.context.waitForEvent('page'), page.keyboard.press('s')]);
    await speaker.locator('body.speaker .speaker-view').waitFor();
    await onSlide(speaker, 1);
    expect(await speaker.locator('.speaker-view .timer').textContent()).toMatch(/^\d\d:\d\d$/);
    await expect.poll(() => speaker.locator('.speaker-view .position').textContent()).toBe(`Slide 1 of ${deck.slides}`);

    await page.keyboard.press('ArrowRight');
    await onSlide(speaker, 2); // the speaker view follows the deck
    expect(await speaker.locator('.speaker-view .now h2').first().textContent()).toBe(await page.locator('section.slide.current h2').first().textContent());
    expect(await speaker.locator('.speaker-view .next .slide').count(), 'the next slide is shown').toBe(1);
    expect(await speaker.locator('.speaker-notes').textContent()).toBe(await page.locator('section.slide.current aside.notes').textContent());

    await speaker.keyboard.press('ArrowRight');
    await onSlide(page, 3); // and the deck follows the speaker view
    expect(hashOf(page)).toBe('#3');
    await speaker.close();
    expect(browser.problems).toEqual([]);
  });

  it('prints one slide per page', async () => {
    const deck = built.decks[2]!;
    await page.goto(`${server.url}${deck.name}.html#2`);
    await onSlide(page, 2);
    await page.emulateMedia({ media: 'print' });
    const visible = await page.locator('section.slide').evaluateAll((slides) => slides.filter((s) => getComputedStyle(s).display !== 'none').length);
    expect(visible, 'every slide shows when printing').toBe(deck.slides);
    const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page(?!s)/g)?.length, 'one page per slide').toBe(deck.slides);
    await page.emulateMedia({ media: 'screen' });
    expect(browser.problems).toEqual([]);
  });
});
