/**
 * What the board's browser tests share: the steps, failing checks in the lessons' words, results
 * to send (`reportUpTo`), boards to draw (`learner`, `board`), and a stand-in for the classroom
 * server that serves the page and whatever snapshot a test gives it.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { boardAsset } from '../../workshop/classroom/board/assets.ts';
import type { BoardLearner, BoardSnapshot, FailingCheck, LearnerStep, StepReport } from '../../workshop/classroom/protocol.ts';
import type { StepStatus } from '../../workshop/checks/check-result.ts';
import { lessons } from '../../workshop/manifest.ts';
import type { GuardedBrowser } from '../slides/support/browser.ts';

export const STEPS = lessons.flatMap((lesson) => lesson.steps.map((step) => ({ id: step.id, title: step.title, lesson: lesson.id })));

/** One failing check per step, as a learner would read it. */
export const FAILING: Record<string, FailingCheck> = {
  '01b': { check: '01b BoundedQueue put() waits while the queue is full', message: 'put() returned while the queue was full: it must wait for a take()' },
  '02b': { check: '02b dry() waits inside Redis', message: 'your dryer never waited inside Redis: it asked with LPOP 2331 times; BLPOP lets Redis wake it' },
  '03a': { check: '03a runDryers() gives each dryer its own connection', message: 'two dryers shared one connection: a BLPOP blocks the whole connection, so give each its own' },
  '03b': { check: '03b runThrottledWorker() spaces the jobs', message: 'two jobs started 12 ms apart: wait until intervalMs has passed since the last start' },
  '04b': { check: '04b the status machine publishes every change', message: 'the status changed to "drying" but nothing was published on dishes:status' },
};
const failingOf = (step: string): FailingCheck => FAILING[step] ?? { check: `${step} works`, message: `${step} does not work yet` };

/** A run's results as a workshop sends them: every step before `step` passed, then `step` as `status`. */
export function reportUpTo(step: string, status: StepStatus, failing: FailingCheck[] = status === 'failed' ? [failingOf(step)] : []): StepReport[] {
  const at = STEPS.findIndex((candidate) => candidate.id === step);
  if (at < 0) throw new RangeError(`There is no step ${step}`);
  return STEPS.slice(0, at + 1).map((candidate, i) =>
    i < at ? { step: candidate.id, status: 'passed', passed: 4, checks: 4, failing: [] } : { step, status, passed: { passed: 4, failed: 4 - failing.length, error: 0 }[status], checks: 4, failing },
  );
}

const START = Date.parse('2025-03-04T09:00:00Z');
/** A time on the stand-in's clock: `minutes` after the class began. */
export const minutesIn = (minutes: number) => new Date(START + minutes * 60_000).toISOString();

/**
 * A learner on the board at minute 30, with the results of `reportUpTo(step, status)`.
 * `failingFor` minutes on the last step: 10 and more make a stuck learner, as the server says.
 */
export function learner(id: string, name: string, step: string, status: StepStatus, failingFor = 3): BoardLearner {
  const steps: Record<string, LearnerStep> = {};
  for (const report of reportUpTo(step, status)) {
    const { step: stepId, ...result } = report;
    steps[stepId] = { ...result, at: minutesIn(25), runs: 2, ...(result.status === 'passed' ? {} : { failingSince: minutesIn(30 - failingFor) }) };
  }
  const stuck = status !== 'passed' && failingFor >= 10 ? { step, since: minutesIn(30 - failingFor) } : undefined;
  return { id, name, joinedAt: minutesIn(0), lastSeen: minutesIn(25), current: step, ...(stuck ? { stuck } : {}), steps };
}

/** The board of these learners at minute 30, summed up as the server does: passes, and the most common first failing check. */
export function board(learners: BoardLearner[]): BoardSnapshot {
  const summary: BoardSnapshot['summary'] = {};
  for (const step of STEPS) {
    const results = learners.map((one) => one.steps[step.id]).filter((result) => result !== undefined);
    const passed = results.filter((result) => result.status === 'passed').length;
    const failed = results.filter((result) => result.failing.length > 0);
    summary[step.id] = { passed, failing: results.length - passed };
    if (failed.length > 0) summary[step.id]!.commonFailure = { ...failed[0]!.failing[0]!, learners: failed.length };
  }
  return { at: minutesIn(30), steps: STEPS, learners, summary };
}

export interface StandIn {
  url: string;
  token: string;
  /** The board the next page load gets. */
  show(next: BoardSnapshot): void;
  /** Shows `next`, a second newer than the last, and sends it down every events stream. */
  push(next: BoardSnapshot): void;
  /** Cuts every events stream, as a server going away does. */
  breakStreams(): void;
  close(): Promise<void>;
}

/** The classroom server's board routes, on 127.0.0.1 with a free port, over a snapshot the test gives. */
export async function startStandIn(token = 'instructor-token'): Promise<StandIn> {
  let snapshot = board([]);
  let pushes = 0;
  const streams = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const address = new URL(request.url ?? '/', 'http://localhost');
    const allowed = address.searchParams.get('token') === token;
    const asset = boardAsset(address.pathname);
    if (asset && (allowed || address.pathname !== '/board')) return response.writeHead(200, { 'content-type': asset.type }).end(asset.body);
    if (!allowed) return response.writeHead(401).end();
    if (address.pathname === '/api/board') return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(snapshot));
    if (address.pathname !== '/api/events') return response.writeHead(404).end();
    // As the classroom server does: the board at once, then every change.
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    response.write(`retry: 200\nevent: board\ndata: ${JSON.stringify(snapshot)}\n\n`);
    streams.add(response);
    response.on('close', () => streams.delete(response));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    show: (next) => void (snapshot = next),
    push: (next) => {
      snapshot = { ...next, at: new Date(Date.parse(next.at) + ++pushes * 1000).toISOString() };
      for (const stream of streams) stream.write(`event: board\ndata: ${JSON.stringify(snapshot)}\n\n`);
    },
    breakStreams: () => streams.forEach((stream) => stream.destroy()),
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** What went wrong in the browser, less the events stream cut when a test leaves the page (it is meant to stay open). */
export const problemsOf = (browser: GuardedBrowser) => browser.problems.filter((problem) => !/\/api\/events\?.*ERR_ABORTED/.test(problem));

export const cellOf = (page: Page, learnerId: string, step: string) => page.locator(`td.cell[data-learner="${learnerId}"][data-step="${step}"]`);
