/**
 * Debian's Chromium for the slides' browser test, driven by playwright-core: a fresh profile,
 * and a guard that fails the test on any request that leaves localhost, any console error,
 * any failed request and any HTTP error, and readers of what a slide shows. Nothing is ever downloaded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, findChromium } from '../../../workshop/doctor/browser.ts';

export interface GuardedBrowser {
  context: BrowserContext;
  /** Everything that went wrong so far, one line each; the test expects it to stay empty. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchGuarded(allowedOrigin: string): Promise<GuardedBrowser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_MISSING);
  const profile = await mkdtemp(join(tmpdir(), 'slides-chromium-'));
  const problems: string[] = [];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      args: [...CHROMIUM_ARGS],
      headless: true,
      viewport: { width: 1280, height: 720 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  // Every request a page makes passes here: only the test's own server is allowed.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(allowedOrigin)) return route.continue();
    problems.push(`request to a non-local address: ${url}`);
    return route.abort('blockedbyclient');
  });
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught error on ${page.url()}: ${error.message}`));
    page.on('requestfailed', (request) => {
      if (!request.url().startsWith(allowedOrigin)) return; // already reported as non-local
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Resolves once slide `n` is the current one. */
export const onSlide = (target: Page, n: number) => target.locator(`body[data-slide="${n}"]`).waitFor({ state: 'attached', timeout: 3_000 });
export const hashOf = (target: Page) => new URL(target.url()).hash;

export interface SlideState {
  hash: string;
  shown: string | null;
  picture: boolean;
  /** What sticks out of the 1280×720 slide or out of a code block, cut off on screen. */
  overflow: string[];
}

/** Waits until slide `n` is current, then reads, in one round trip, what the page shows. */
export async function slideState(target: Page, n: number): Promise<SlideState> {
  const handle = await target.waitForFunction(
    (slide) => {
      if (document.body.dataset.slide !== String(slide)) return false;
      const current = document.querySelector<HTMLElement>('section.slide.current');
      const boxes = current ? [current, ...current.querySelectorAll<HTMLElement>('pre')] : [];
      return {
        hash: location.hash,
        shown: current?.getAttribute('data-slide') ?? null,
        picture: current?.querySelector('figure.sequence svg') != null,
        overflow: boxes
          .filter((box) => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
          .map((box) => `<${box.tagName.toLowerCase()}> ${box.scrollWidth}×${box.scrollHeight} in ${box.clientWidth}×${box.clientHeight}`),
      };
    },
    n,
    { timeout: 3_000 },
  );
  return (await handle.jsonValue()) as SlideState;
}
