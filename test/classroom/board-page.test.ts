/**
 * The board's page in Chromium against a stand-in server that serves any board a test makes up:
 * what each cell says, a stuck learner, a cell's checks, a broken events stream, 30 learners on a
 * projector, markup that stays text whatever the server lets through.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardAsset } from '../../workshop/classroom/board/assets.ts';
import { lessons } from '../../workshop/manifest.ts';
import { type GuardedBrowser, launchGuarded } from '../slides/support/browser.ts';
import { board, cellOf, FAILING, learner, problemsOf, type StandIn, startStandIn, STEPS } from './board-fixtures.ts';

let server: StandIn;
let browser: GuardedBrowser;
let page: Page;

beforeAll(async () => {
  server = await startStandIn();
  browser = await launchGuarded(server.url);
  page = await browser.context.newPage();
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const SIX = () => [
  learner('l1', 'Amira Haddad', '03a', 'failed'),
  learner('l2', 'Ben Okafor', '03b', 'failed', 14),
  learner('l3', 'Chloé Martin', '04b', 'failed'),
  learner('l4', 'Dmitri Volkov', '01b', 'error'),
  learner('l5', 'Eun-ji Park', '04a', 'passed'),
  learner('l6', 'Farid Benali', '02b', 'failed'),
];

/** Loads the board on `snapshot` and waits until it is drawn and listening. */
async function open(snapshot = board(SIX())): Promise<void> {
  server.show(snapshot);
  await page.goto(`${server.url}/board?token=${server.token}`);
  await page.locator(`body[data-state="live"][data-at="${snapshot.at}"]`).waitFor();
}

describe('boardAsset()', () => {
  it('gives the page for /board and its script and style under /board/', () => {
    expect(boardAsset('/board')?.type).toBe('text/html; charset=utf-8');
    expect(boardAsset('/board')?.body.toString()).toContain('<table');
    expect(boardAsset('/board/board.js')?.type).toBe('text/javascript; charset=utf-8');
    expect(boardAsset('/board/board.css')?.type).toBe('text/css; charset=utf-8');
  });

  it('refuses names outside its list and paths with ..', () => {
    const refused = ['/board/', '/board/board.html', '/board/../package.json', '/board/..%2fpackage.json', '/board/assets.ts', '/board/board.js/', '/boards', '/', '/board/toString', '/board/__proto__'];
    for (const path of refused) expect(boardAsset(path), path).toBeUndefined();
  });
});

describe('the board page', () => {
  it('draws learners × steps grouped by lesson, a symbol in every cell, the current step marked', async () => {
    await open(board([learner('a', 'Ada', '01b', 'failed'), learner('b', 'Bo', '01a', 'error')]));
    expect(await page.locator('th.lesson').allTextContents()).toEqual(lessons.map((lesson) => `Lesson ${lesson.id}`));
    expect(await page.locator('th.lesson').evaluateAll((cells) => cells.map((cell) => (cell as HTMLTableCellElement).colSpan))).toEqual(lessons.map((lesson) => lesson.steps.length));
    expect(await page.locator('th.step').allTextContents()).toEqual(STEPS.map((step) => step.id));
    expect(await page.locator('th.step').first().getAttribute('title')).toBe(`01a: ${STEPS[0]!.title}`);
    expect(await cellOf(page, 'a', '01a').textContent()).toBe('✓');
    expect(await cellOf(page, 'a', '01b').textContent()).toBe('✗ 3/4');
    expect(await cellOf(page, 'b', '01a').textContent()).toBe('! error');
    expect(await cellOf(page, 'b', '02a').textContent()).toBe('·');
    expect(await page.locator('td.cell.current').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.step))).toEqual(['01b', '01a']);
    expect(await page.locator('#learner-count').textContent()).toBe('2 learners');
    expect(await page.locator('#updated').getAttribute('datetime')).toBe(board([]).at);
    expect(await page.locator('#export-csv').getAttribute('href')).toBe(`/api/export.csv?token=${server.token}`);
    expect(await page.locator('#export-json').getAttribute('href')).toBe(`/api/export.json?token=${server.token}`);
    expect(await page.locator('td.sum[data-step="01a"]').textContent(), 'the passes, and no common failure').toBe('1 ✓');
    expect(await page.locator('td.sum[data-step="01b"]').textContent(), 'no pass, one learner on a failure').toBe('0 ✓✗ 1');
    expect(await page.locator('td.sum[data-step="02a"]').textContent(), 'nobody there yet').toBe('–');
    expect(await page.locator('#common-failures li').allTextContents()).toEqual([`01b1 learner: ${FAILING['01b']!.message}`]);
    expect(problemsOf(browser)).toEqual([]);
  });

  it('says how learners join while nobody has', async () => {
    await open(board([]));
    expect(await page.locator('#notice').textContent()).toMatch(/^No learners yet\. Each joins with: npm start -- join /);
    expect(await page.locator('#learner-count').textContent()).toBe('0 learners');
    expect(problemsOf(browser)).toEqual([]);
  });

  it('makes a stuck learner\'s row stand out, with the step and the minutes', async () => {
    await open();
    expect(await page.locator('tr.learner.stuck').count()).toBe(1);
    expect(await page.locator('tr.stuck .stuck-note').textContent()).toBe('stuck on 03b for 14 min');
    expect(await cellOf(page, 'l2', '03b').getAttribute('class')).toContain('stuck-step');
    expect(problemsOf(browser)).toEqual([]);
  });

  it('shows a cell\'s failing checks on a click or Enter, and hides them on a second click or Escape', async () => {
    await open();
    expect(await cellOf(page, 'l2', '03b').getAttribute('title'), 'hovering shows them too').toContain(FAILING['03b']!.message);
    await cellOf(page, 'l2', '03b').click();
    await page.locator('#details:not([hidden])').waitFor();
    expect(await page.locator('#details-title').textContent()).toBe('Ben Okafor · 03b: 3 of 4 checks pass, 2 runs');
    expect(await page.locator('#details-checks li').allTextContents()).toEqual([FAILING['03b']!.check + FAILING['03b']!.message]);
    await cellOf(page, 'l2', '03b').click();
    await page.locator('#details[hidden]').waitFor({ state: 'attached' });
    await cellOf(page, 'l1', '03a').focus();
    await page.keyboard.press('Enter');
    await page.locator('#details:not([hidden])').waitFor();
    expect(await page.locator('#details-title').textContent()).toMatch(/^Amira Haddad · 03a: /);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.step), 'the cell keeps the focus through the redraw').toBe('03a');
    await page.keyboard.press('Escape');
    await page.locator('#details[hidden]').waitFor({ state: 'attached' });
    expect(problemsOf(browser)).toEqual([]);
  });

  it('keeps markup in a name or a message as text, whatever the server lets through', async () => {
    const markup = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    const evil = learner('x', markup, '01a', 'failed');
    evil.steps['01a']!.failing = [{ check: '<b>bold</b>', message: '<img src=y onerror="window.pwned=3">' }];
    await open(board([evil]));
    expect(await page.locator('tr.learner .learner-name').textContent()).toBe(markup);
    await cellOf(page, 'x', '01a').click();
    expect(await page.locator('#details-checks li').textContent()).toBe('<b>bold</b><img src=y onerror="window.pwned=3">');
    expect(await page.locator('#common-failures .message').textContent()).toBe('<img src=y onerror="window.pwned=3">');
    expect(await page.locator('img, b, tbody script').count(), 'no element was made from the text').toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(problemsOf(browser)).toEqual([]);
  });

  it('says "reconnecting…" while the events stream is broken, and follows the board again once back', async () => {
    await open(board([learner('a', 'Ada', '01a', 'failed')]));
    const before = browser.problems.length;
    server.breakStreams();
    await page.locator('body[data-state="reconnecting"]').waitFor();
    expect(await page.locator('#connection').textContent()).toBe('reconnecting…');
    await page.locator('body[data-state="live"]').waitFor();
    browser.problems.splice(before); // the broken stream was this test's doing
    server.push(board([learner('a', 'Ada', '01a', 'passed')]));
    await cellOf(page, 'a', '01a').and(page.locator('[data-status="passed"]')).waitFor({ timeout: 1_000 });
    expect(problemsOf(browser)).toEqual([]);
  });

  it('fits 30 learners × 14 steps on a 1280×720 projector', async () => {
    const steps = STEPS.map((step) => step.id);
    await open(board(Array.from({ length: 30 }, (_, i) => learner(`n${i}`, `Learner number ${i + 1} with a long name`, steps[i % steps.length]!, i % 3 === 0 ? 'passed' : 'failed', i % 7 === 0 ? 12 : 2))));
    const overflow = await page.evaluate(() =>
      [document.documentElement, document.getElementById('grid-area')!]
        .filter((box) => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
        .map((box) => `${box.id || box.tagName} ${box.scrollWidth}×${box.scrollHeight} in ${box.clientWidth}×${box.clientHeight}`),
    );
    expect(overflow, 'nothing scrolls').toEqual([]);
    const rowHeight = await page.locator('tr.learner').first().evaluate((row) => row.getBoundingClientRect().height);
    expect(rowHeight, 'rows stay readable').toBeGreaterThanOrEqual(16);
    expect(problemsOf(browser)).toEqual([]);
  });
});
