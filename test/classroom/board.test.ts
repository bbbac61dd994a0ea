/**
 * The board served by the classroom server (`startClassroom()`), in Chromium: learners join and
 * send results over HTTP as a joined workshop does, and the page follows each within a second,
 * without a reload. The README's picture of the board is taken here from a class of its own;
 * `WORKSHOP_UPDATE_SCREENSHOTS=1` writes it to docs/classroom-board.png.
 */
import { writeFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BoardSnapshot, FailingCheck, StepReport } from '../../workshop/classroom/protocol.ts';
import { type GuardedBrowser, launchGuarded } from '../slides/support/browser.ts';
import { cellOf, FAILING, problemsOf, reportUpTo } from './board-fixtures.ts';
import { joinAs, openClass, report, sendResult, type TestClassroom, type TestLearner } from './support.ts';

let classroom: TestClassroom;
let browser: GuardedBrowser;
let page: Page;

beforeAll(async () => {
  classroom = await openClass();
  browser = await launchGuarded(classroom.url);
  page = await browser.context.newPage();
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await classroom?.end();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Sends a run's results as a joined workshop does. */
async function send(room: TestClassroom, learner: TestLearner, steps: StepReport[]): Promise<void> {
  const answer = await sendResult(room, learner, report(steps));
  expect(answer.status, `sending ${learner.name}'s results: ${answer.body.error}`).toBe(202);
}

/** Runs `action` (a request to the server), then waits for `shown` on the page: all of it within a second. */
async function withinASecond(action: () => Promise<unknown>, shown: Locator): Promise<void> {
  const start = performance.now();
  await action();
  await shown.waitFor({ timeout: Math.max(1, 1_000 - (performance.now() - start)) });
}

const withStatus = (cell: Locator, status: string) => cell.and(page.locator(`[data-status="${status}"]`));

describe('the board on the classroom server', () => {
  it('refuses the page and the board without the instructor\'s token, and serves the page\'s own files', async () => {
    for (const path of ['/board', '/board?token=wrong', '/api/board', '/api/events', '/api/export.csv', '/api/export.json']) {
      expect((await fetch(`${classroom.url}${path}`)).status, path).toBe(401);
    }
    const page = await fetch(classroom.boardAddress);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const file of ['board.js', 'board.css']) expect((await fetch(`${classroom.url}/board/${file}`)).status, file).toBe(200);
    expect((await fetch(`${classroom.url}/board/assets.ts`)).status).toBe(404);
  });

  it('shows each join and each result within a second, without a reload', async () => {
    await page.goto(classroom.boardAddress);
    await page.locator('body[data-state="live"]').waitFor();
    await page.evaluate(() => ((window as { marker?: string }).marker = 'the same page'));
    const rows = await page.locator('tr.learner').count();
    for (const [i, name] of ['Ada', 'Grace', 'Linus'].entries()) {
      let learner: TestLearner | undefined;
      await withinASecond(async () => (learner = await joinAs(classroom, name)), page.locator(`body[data-learners="${rows + i + 1}"]`));
      const id = learner!.learnerId;
      expect(await page.locator(`tr[data-learner="${id}"] .learner-name`).textContent()).toBe(name);
      await withinASecond(() => send(classroom, learner!, reportUpTo('02b', 'failed')), withStatus(cellOf(page, id, '02b'), 'failed'));
      expect(await cellOf(page, id, '02b').textContent()).toBe('✗ 3/4');
      expect(await cellOf(page, id, '02b').getAttribute('class')).toContain('current');
      await withinASecond(() => send(classroom, learner!, reportUpTo('02b', 'passed')), withStatus(cellOf(page, id, '02b'), 'passed'));
      expect(await page.locator('td.sum[data-step="02b"] .sum-passed').textContent()).toBe(`${i + 1} ✓`);
    }
    expect(await page.evaluate(() => (window as { marker?: string }).marker), 'the page was never reloaded').toBe('the same page');
    expect(problemsOf(browser)).toEqual([]);
  });

  it('shows names and messages with markup as text, and runs none of it', async () => {
    // The server takes names of up to 40 characters: each half of the attack is a name, the whole a message.
    const markup = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    const names = ['<script>window.pwned=1</script>', '<img src=x onerror="window.pwned=2">'];
    const failing: FailingCheck[] = [{ check: markup, message: markup }];
    const learners = [];
    for (const name of names) {
      const learner = await joinAs(classroom, name);
      await send(classroom, learner, reportUpTo('01a', 'failed', failing));
      learners.push(learner);
    }
    await page.goto(classroom.boardAddress);
    await page.locator('body[data-state="live"]').waitFor();
    for (const [i, learner] of learners.entries()) {
      await expect.poll(() => page.locator(`tr[data-learner="${learner.learnerId}"] .learner-name`).textContent()).toBe(names[i]);
    }
    await cellOf(page, learners[1]!.learnerId, '01a').click();
    expect(await page.locator('#details-title').textContent()).toMatch(/^<img src=x onerror="window.pwned=2"> · 01a: /);
    expect(await page.locator('#details-checks li').textContent()).toBe(markup + markup);
    expect(await page.locator('#common-failures li[data-step="01a"] .message').textContent()).toBe(markup);
    expect(await page.locator('img, main script').count(), 'no element was made from the text').toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(problemsOf(browser)).toEqual([]);
  });

  it('links the exports with the token', async () => {
    await send(classroom, await joinAs(classroom, 'Margaret'), reportUpTo('01a', 'failed'));
    await page.goto(classroom.boardAddress);
    await page.locator('body[data-state="live"]').waitFor();
    const csv = await fetch(new URL((await page.locator('#export-csv').getAttribute('href'))!, classroom.url));
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('Margaret,01a,failed,3,4,1');
    const json = await fetch(new URL((await page.locator('#export-json').getAttribute('href'))!, classroom.url));
    expect(json.status).toBe(200);
    expect(((await json.json()) as BoardSnapshot).learners.map((learner) => learner.name)).toContain('Margaret');
    expect(problemsOf(browser)).toEqual([]);
  });

  it('takes the picture for the README: seven learners in mixed states, one stuck', async () => {
    const room = await openClass();
    const page = await browser.context.newPage();
    try {
      // The guard lets the browser reach the first class only; a page's own route comes first.
      await page.route(`${room.url}/**`, (route) => route.continue());
      // Ben's 03b has failed for 15 minutes: his join and result happen on a clock set back.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 15 * 60_000, shouldAdvanceTime: true });
      await send(room, await joinAs(room, 'Ben Okafor'), reportUpTo('03b', 'failed'));
      vi.useRealTimers();
      const results: Array<[string, StepReport[]]> = [
        ['Amira Haddad', reportUpTo('03a', 'failed')],
        ['Chloé Martin', reportUpTo('04b', 'failed')],
        ['Dmitri Volkov', reportUpTo('02b', 'failed')],
        ['Eun-ji Park', reportUpTo('04a', 'passed')],
        ['Farid Benali', reportUpTo('02b', 'failed')],
        ['Grace Liu', reportUpTo('01c', 'error')],
      ];
      for (const [name, steps] of results) await send(room, await joinAs(room, name), steps);
      await page.goto(room.boardAddress);
      await page.locator('body[data-state="live"][data-learners="7"]').waitFor();
      expect(await page.locator('tr.stuck .stuck-note').textContent()).toBe('stuck on 03b for 15 min');
      expect(await page.locator('#common-failures li').first().textContent()).toBe(`02b2 learners: ${FAILING['02b']!.message}`);
      await page.locator('tr.stuck td.cell[data-step="03b"]').click();
      await page.locator('#details:not([hidden])').waitFor();
      const picture = await page.screenshot();
      expect(picture.length, 'the README\'s picture stays small').toBeLessThan(200_000);
      if (process.env.WORKSHOP_UPDATE_SCREENSHOTS === '1') await writeFile('docs/classroom-board.png', picture);
      expect(problemsOf(browser)).toEqual([]);
    } finally {
      await page.close();
      await room.end();
    }
  });
});
