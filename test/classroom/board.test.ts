/**
 * The classroom board in Chromium, against a stand-in for the classroom server that serves the
 * board's files and a snapshot the test changes and pushes. The picture of the board for the
 * README is taken every run; `WORKSHOP_UPDATE_SCREENSHOTS=1` writes it to docs/classroom-board.png.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boardAsset } from '../../workshop/classroom/board/assets.ts';
import type { BoardLearner, BoardSnapshot, LearnerStep } from '../../workshop/classroom/protocol.ts';
import { lessons } from '../../workshop/manifest.ts';
import { type GuardedBrowser, launchGuarded } from '../slides/support/browser.ts';

const TOKEN = 'instructor-token';
const STEPS = lessons.flatMap((lesson) => lesson.steps.map((step) => ({ id: step.id, title: step.title, lesson: lesson.id })));
const START = Date.parse('2025-03-04T09:00:00Z');
const iso = (minutes: number) => new Date(START + minutes * 60_000).toISOString();

let snapshot: BoardSnapshot;
let clock = 0;
const streams = new Set<ServerResponse>();
let url: string;
let close: () => Promise<void>;
let browser: GuardedBrowser;
let page: Page;

function push() {
  clock += 1;
  snapshot = { ...snapshot, at: iso(30 + clock / 60) };
  for (const stream of streams) stream.write(`event: board\ndata: ${JSON.stringify(snapshot)}\n\n`);
}

beforeAll(async () => {
  const server = createServer((request, response) => {
    const address = new URL(request.url ?? '/', 'http://localhost');
    const allowed = address.searchParams.get('token') === TOKEN;
    const asset = boardAsset(address.pathname);
    if (asset && (allowed || address.pathname !== '/board')) return response.writeHead(200, { 'content-type': asset.type }).end(asset.body);
    if (!allowed) return response.writeHead(401).end();
    if (address.pathname === '/api/board') return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(snapshot));
    if (address.pathname === '/api/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      // As the classroom server does: the board at once, then every change.
      response.write(`retry: 200\nevent: board\ndata: ${JSON.stringify(snapshot)}\n\n`);
      streams.add(response);
      response.on('close', () => streams.delete(response));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () =>
    new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  browser = await launchGuarded(url);
  page = await browser.context.newPage();
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
});

beforeEach(() => {
  snapshot = board([]);
});

type Mark = 'p' | 'f' | 'e';

/** Failing checks as the lessons word them, for failed cells. */
const FAILING: Record<string, { check: string; message: string }> = {
  '01b': { check: 'put() waits while the queue is full', message: 'put() returned while the queue was full: it must wait for a take()' },
  '02b': { check: 'waits inside Redis', message: 'your dryer never waited inside Redis: it asked with LPOP 2331 times; BLPOP lets Redis wake it' },
  '03a': { check: 'each dryer has its own connection', message: 'two dryers shared one connection: a BLPOP blocks the whole connection, so give each its own' },
  '03b': { check: 'spaces the jobs', message: 'two jobs started 12 ms apart: wait until intervalMs has passed since the last start' },
  '04b': { check: 'publishes every change', message: 'the status changed to "drying" but nothing was published on dishes:status' },
};

/**
 * A learner whose results are given as `{ '01a': 'p', '01b': 'f' }` (passed, failed, error); the
 * last one is the current step. `failingFor` minutes on the current step makes a stuck learner.
 */
function learner(id: string, name: string, marks: Record<string, Mark>, failingFor = 3): BoardLearner {
  const steps: Record<string, LearnerStep> = {};
  for (const [step, mark] of Object.entries(marks)) {
    const failing = mark === 'f' ? [FAILING[step] ?? { check: 'works', message: `${step} does not work yet` }] : [];
    steps[step] = { status: ({ p: 'passed', f: 'failed', e: 'error' } as const)[mark], passed: { p: 4, f: 3, e: 0 }[mark], checks: 4, at: iso(25), failing, runs: 2 };
    if (mark !== 'p') steps[step].failingSince = iso(30 - failingFor);
  }
  const current = Object.keys(marks).at(-1);
  const stuck = current && marks[current] !== 'p' && failingFor >= 10 ? { step: current, since: iso(30 - failingFor) } : undefined;
  return { id, name, joinedAt: iso(0), lastSeen: iso(25), current, stuck, steps };
}

/** The board of these learners, summed up as the server does: passes, and the most common failing check. */
function board(learners: BoardLearner[]): BoardSnapshot {
  const summary: BoardSnapshot['summary'] = {};
  for (const step of STEPS) {
    const results = learners.map((one) => one.steps[step.id]).filter((result) => result !== undefined);
    const passed = results.filter((result) => result.status === 'passed').length;
    const failed = results.filter((result) => result.failing.length > 0);
    summary[step.id] = { passed, failing: results.length - passed };
    if (failed.length > 0) summary[step.id]!.commonFailure = { ...failed[0]!.failing[0]!, learners: failed.length };
  }
  return { at: iso(30 + clock / 60), steps: STEPS, learners, summary };
}

/** What went wrong in the browser, less the events stream cut when a test leaves the page (it is meant to stay open). */
const problems = () => browser.problems.filter((problem) => !/\/api\/events\?.*ERR_ABORTED/.test(problem));

const cellOf = (learnerId: string, step: string) => page.locator(`td.cell[data-learner="${learnerId}"][data-step="${step}"]`);

describe('boardAsset()', () => {
  it('gives the page for /board and its files under /board/', () => {
    expect(boardAsset('/board')?.type).toMatch(/^text\/html/);
    expect(boardAsset('/board/')?.body.toString()).toContain('<table');
    expect(boardAsset('/board/board.js')?.type).toMatch(/^text\/javascript/);
    expect(boardAsset('/board/board.css')?.type).toMatch(/^text\/css/);
  });

  it('refuses names outside its list and paths with ..', () => {
    for (const path of ['/board/../package.json', '/board/..%2fpackage.json', '/board/assets.ts', '/board/board.js/', '/boards', '/', '/board/toString', '/board/__proto__']) {
      expect(boardAsset(path), path).toBeUndefined();
    }
  });
});

/** Every step before `step` passed, and `step` itself as `mark`. */
function upTo(step: string, mark: Mark): Record<string, Mark> {
  const at = STEPS.findIndex((candidate) => candidate.id === step);
  return Object.fromEntries(STEPS.slice(0, at + 1).map((candidate, i) => [candidate.id, i === at ? mark : 'p']));
}

const SIX = () => [
  learner('l1', 'Amira Haddad', upTo('03a', 'f')),
  learner('l2', 'Ben Okafor', upTo('03b', 'f'), 14),
  learner('l3', 'Chloé Martin', upTo('04b', 'f')),
  learner('l4', 'Dmitri Volkov', upTo('01b', 'e')),
  learner('l5', 'Eun-ji Park', upTo('04a', 'p')),
  learner('l6', 'Farid Benali', upTo('02b', 'f')),
];

async function open(): Promise<void> {
  await page.goto(`${url}/board?token=${TOKEN}`);
  await page.locator(`body[data-state="live"][data-at="${snapshot.at}"]`).waitFor();
}

describe('the board in Chromium', () => {
  it('draws learners × steps, grouped by lesson, with a symbol in every cell', async () => {
    snapshot = board([learner('a', 'Ada', { '01a': 'p', '01b': 'f' }), learner('b', 'Bo', { '01a': 'e' })]);
    await open();
    expect(await page.locator('th.lesson').allTextContents()).toEqual(lessons.map((lesson) => `Lesson ${lesson.id}`));
    expect(await page.locator('th.step').allTextContents()).toEqual(STEPS.map((step) => step.id));
    expect(await page.locator('th.step').first().getAttribute('title')).toBe(`01a: ${STEPS[0]!.title}`);
    expect(await cellOf('a', '01a').textContent()).toBe('✓');
    expect(await cellOf('a', '01b').textContent()).toBe('✗ 3/4');
    expect(await cellOf('b', '01a').textContent()).toBe('! error');
    expect(await cellOf('b', '02a').textContent()).toBe('·');
    expect(await page.locator('td.cell.current').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.step))).toEqual(['01b', '01a']);
    expect(await page.locator('#learner-count').textContent()).toBe('2 learners');
    expect(await page.locator('#updated').getAttribute('datetime')).toBe(snapshot.at);
    expect(await page.locator('#export-csv').getAttribute('href')).toBe(`/api/export.csv?token=${TOKEN}`);
    expect(await page.locator('#export-json').getAttribute('href')).toBe(`/api/export.json?token=${TOKEN}`);
    expect(await page.locator('td.sum[data-step="01a"]').textContent()).toBe('1 ✓');
    expect(await page.locator('td.sum[data-step="01b"]').textContent()).toBe('0 ✓✗ 1');
    expect(await page.locator('#common-failures li').allTextContents()).toEqual([`01b1 learner: ${FAILING['01b']!.message}`]);
    expect(problems()).toEqual([]);
  });

  it('marks a stuck learner\'s row with the step and the minutes', async () => {
    snapshot = board(SIX());
    await open();
    expect(await page.locator('tr.learner.stuck').count()).toBe(1);
    expect(await page.locator('tr.stuck .stuck-note').textContent()).toBe('stuck on 03b for 14 min');
    expect(await cellOf('l2', '03b').getAttribute('class')).toContain('stuck-step');
    expect(problems()).toEqual([]);
  });

  it('redraws from each pushed snapshot without a reload', async () => {
    snapshot = board([learner('a', 'Ada', { '01a': 'f' })]);
    await open();
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    snapshot = board([learner('a', 'Ada', { '01a': 'p', '01b': 'f' })]);
    push();
    await cellOf('a', '01b').and(page.locator('[data-status="failed"]')).waitFor({ timeout: 1_000 });
    expect(await cellOf('a', '01a').textContent()).toBe('✓');
    snapshot = board([learner('a', 'Ada', { '01a': 'p', '01b': 'p' }), learner('b', 'Bo', { '01a': 'e' })]);
    push();
    await page.locator('body[data-learners="2"]').waitFor({ timeout: 1_000 });
    expect(await cellOf('a', '01b').getAttribute('data-status')).toBe('passed');
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
    expect(problems()).toEqual([]);
  });

  it('shows a learner\'s name and messages as text, never as markup', async () => {
    const name = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    const evil = learner('x', name, { '01b': 'f' });
    evil.steps['01b']!.failing = [{ check: '<b>bold</b>', message: '<img src=y onerror="window.pwned=3">' }];
    snapshot = board([evil]);
    await open();
    expect(await page.locator('tr.learner .learner-name').textContent()).toBe(name);
    await cellOf('x', '01b').click();
    expect(await page.locator('#details-checks li').textContent()).toBe('<b>bold</b><img src=y onerror="window.pwned=3">');
    expect(await page.locator('#common-failures .message').textContent()).toBe('<img src=y onerror="window.pwned=3">');
    expect(await page.locator('img').count(), 'no element was made from the text').toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(problems()).toEqual([]);
  });

  it('shows a failed cell\'s failing checks on a click or Enter, and hides them on a second click or Escape', async () => {
    snapshot = board(SIX());
    await open();
    expect(await cellOf('l2', '03b').getAttribute('title')).toContain(FAILING['03b']!.message);
    await cellOf('l2', '03b').click();
    await page.locator('#details:not([hidden])').waitFor();
    expect(await page.locator('#details-title').textContent()).toBe('Ben Okafor · 03b: 3 of 4 checks pass, 2 runs');
    expect(await page.locator('#details-checks li').allTextContents()).toEqual([FAILING['03b']!.check + FAILING['03b']!.message]);
    await cellOf('l2', '03b').click();
    await page.locator('#details[hidden]').waitFor({ state: 'attached' });
    await cellOf('l1', '03a').focus();
    await page.keyboard.press('Enter');
    await page.locator('#details:not([hidden])').waitFor();
    expect(await page.locator('#details-title').textContent()).toMatch(/^Amira Haddad · 03a: /);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.step), 'the cell keeps the focus through the redraw').toBe('03a');
    await page.keyboard.press('Escape');
    await page.locator('#details[hidden]').waitFor({ state: 'attached' });
    expect(problems()).toEqual([]);
  });

  it('says "reconnecting…" while the events stream is broken, and comes back live', async () => {
    snapshot = board([learner('a', 'Ada', { '01a': 'f' })]);
    await open();
    const before = browser.problems.length;
    for (const stream of streams) stream.destroy();
    await page.locator('body[data-state="reconnecting"]').waitFor();
    // The broken stream is this test's doing, not the page's.
    browser.problems.splice(before);
    expect(await page.locator('#connection').textContent()).toBe('reconnecting…');
    await page.locator('body[data-state="live"]').waitFor();
    snapshot = board([learner('a', 'Ada', { '01a': 'p' })]);
    push();
    await cellOf('a', '01a').and(page.locator('[data-status="passed"]')).waitFor({ timeout: 1_000 });
    expect(problems()).toEqual([]);
  });

  it('fits 30 learners × 14 steps on a 1280×720 projector', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `Learner number ${i + 1} with a long name`);
    snapshot = board(names.map((name, i) => learner(`n${i}`, name, upTo(STEPS[i % STEPS.length]!.id, i % 3 === 0 ? 'p' : 'f'), i % 7 === 0 ? 12 : 2)));
    await open();
    const overflow = await page.evaluate(() =>
      [document.documentElement, document.getElementById('grid-area')!].filter((box) => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1).map((box) => box.id || box.tagName),
    );
    expect(overflow, 'nothing scrolls').toEqual([]);
    const rowHeight = await page.locator('tr.learner').first().evaluate((row) => row.getBoundingClientRect().height);
    expect(rowHeight, 'rows stay readable').toBeGreaterThanOrEqual(18);
    expect(problems()).toEqual([]);
  });

  it('takes the picture for the README: six learners in mixed states, one stuck', async () => {
    snapshot = board(SIX());
    await open();
    await cellOf('l2', '03b').click();
    await page.locator('#details:not([hidden])').waitFor();
    const picture = await page.screenshot();
    expect(picture.length, 'the README\'s picture stays small').toBeLessThan(200_000);
    if (process.env.WORKSHOP_UPDATE_SCREENSHOTS === '1') await writeFile('docs/classroom-board.png', picture);
    expect(problems()).toEqual([]);
  });
});
