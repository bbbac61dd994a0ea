/**
 * Results on their way to the classroom. Every result is first written to the outbox
 * (`.workshop/classroom-outbox.json`), then sent; what the board did not take yet (it is down,
 * slow, or the laptop is offline) stays there and goes with the next result, or on watch's next
 * retry. A check never waits more than SEND_BUDGET_MS for the board and never fails because of it;
 * the server counts a report once however often it is sent (by its runId).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stepStatus, type RunResult } from '../checks/check-result.ts';
import type { StepInfo } from '../manifest.ts';
import { ROOT } from '../target.ts';
import { auth, call, readMembership, type Membership } from './membership.ts';
import type { ResultReport } from './protocol.ts';

/** The most a check waits for the board. */
export const SEND_BUDGET_MS = 50;
/** Reports kept while the board is away; the oldest go first. */
const OUTBOX_LIMIT = 500;

export function outboxPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(ROOT, env.WORKSHOP_CLASSROOM_OUTBOX?.trim() || '.workshop/classroom-outbox.json');
}

export function readOutbox(env: NodeJS.ProcessEnv = process.env): ResultReport[] {
  const file = outboxPath(env);
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(data) ? (data as ResultReport[]) : [];
  } catch {
    return [];
  }
}

function writeOutbox(reports: readonly ResultReport[], env: NodeJS.ProcessEnv): void {
  const file = outboxPath(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(reports.slice(-OUTBOX_LIMIT))}\n`);
  renameSync(`${file}.tmp`, file);
}

/** A run's results in the classroom's shape. */
export function toReport(result: RunResult, steps: readonly StepInfo[], via: ResultReport['via']): ResultReport {
  return {
    runId: randomUUID(),
    at: new Date().toISOString(),
    via,
    steps: steps.map((step) => {
      const checks = result.checks.filter((check) => check.stepId === step.id);
      return {
        step: step.id,
        status: stepStatus(result, step.id),
        passed: checks.filter((check) => check.state === 'passed').length,
        checks: checks.length,
        failing: checks
          .filter((check) => check.state === 'failed')
          .slice(0, 10)
          .map((check) => ({ check: check.name.slice(0, 300), message: (check.message ?? '').split('\n')[0]!.slice(0, 500) })),
      };
    }),
  };
}

/**
 * Sends a run's results to the classroom, when this workshop has joined one. Resolves within
 * `budgetMs` whatever the board does; what was not delivered by then stays in the outbox.
 */
export async function reportRun(result: RunResult, steps: readonly StepInfo[], via: ResultReport['via'], budgetMs = SEND_BUDGET_MS, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const membership = readMembership(env);
  if (!membership) return;
  writeOutbox([...readOutbox(env), toReport(result, steps, via)], env);
  await flush(membership, budgetMs, env);
}

/** Sends run one after another, so reports arrive in the order they were made. */
let queue: Promise<unknown> = Promise.resolve();

/** Sends what the outbox holds, in order, for at most `budgetMs`; resolves with how many are left. */
export function flush(membership: Membership, budgetMs: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const sending = queue.then(() => send(membership, env));
  queue = sending.catch(() => undefined);
  const left = () => readOutbox(env).length;
  return Promise.race([sending, new Promise<number>((resolve) => setTimeout(() => resolve(left()), budgetMs).unref())]);
}

async function send(membership: Membership, env: NodeJS.ProcessEnv): Promise<number> {
  for (;;) {
    const [report] = readOutbox(env);
    if (!report) return 0;
    try {
      await call(membership.server, '/api/results', { body: report, auth: auth(membership), timeoutMs: 5000 });
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 409: the board had it already (a retry after a lost answer). Any other refusal will not change
      // by sending again (the report is malformed, or this learner is unknown): drop it, keep the rest.
      // Without an answer at all (the board is down), keep everything for later.
      if (status === undefined || status === 429 || status >= 500) return readOutbox(env).length;
    }
    writeOutbox(readOutbox(env).filter((kept) => kept.runId !== report.runId), env);
  }
}
