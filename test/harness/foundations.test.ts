/**
 * One mistake, one story across steps: a step that fails while an earlier step it runs fails too
 * names that step first, and runs its checks only when it must.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFoundations } from '../../workshop/checks/foundations.ts';
import { formatReport } from '../../workshop/checks/report.ts';
import type { CheckResult, RunResult } from '../../workshop/checks/check-result.ts';
import type { CheckSession, RunOptions } from '../../workshop/checks/session.ts';
import { findStep, lessons, select, type StepInfo } from '../../workshop/manifest.ts';

const check = (stepId: string, name: string, message?: string): CheckResult => ({ stepId, name, state: message ? 'failed' : 'passed', message, durationMs: 1 });
const run = (checks: CheckResult[]): RunResult => ({ checks, loadErrors: [], unhandled: [], stalled: false });
const step = (id: string): StepInfo => findStep(id)!.step;

/** A session whose runs answer from `answers`, by step, and that remembers what it was asked. */
function fakeSession(answers: Record<string, CheckResult[]>): CheckSession & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    target: 'lessons',
    lessons,
    closed: false,
    asked,
    run: (options?: RunOptions) => {
      const ids = (options?.steps ?? []).map((s) => s.id);
      asked.push(ids);
      return Promise.resolve(run(ids.flatMap((id) => answers[id] ?? [])));
    },
    cancel: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const kitchenFails = run([check('01c', 'resolves after every thread exited', 'An eater that never takes a poison pill waits forever: put one poison pill per eater')]);

// Progress of our own, so the project's .workshop-progress.json never decides what runs.
const dir = mkdtempSync(join(tmpdir(), 'foundations-'));
const saved = process.env.WORKSHOP_PROGRESS;
beforeAll(() => void (process.env.WORKSHOP_PROGRESS = join(dir, 'progress.json')));
afterAll(() => {
  if (saved === undefined) delete process.env.WORKSHOP_PROGRESS;
  else process.env.WORKSHOP_PROGRESS = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('foundations', () => {
  it('runs the earlier steps a failed step builds on, and names the first that fails, its check and its hint', async () => {
    const session = fakeSession({ '01a': [check('01a', 'one thread at a time')], '01b': [check('01b', 'put() waits while full', 'a queue of capacity 1 never accepted an item: expected 0 to be 1')] });
    const found = await findFoundations(session, kitchenFails, [step('01c')]);
    expect(session.asked).toEqual([['01a', '01b']]);
    expect(found.get('01c')?.map((f) => f.step.id)).toEqual(['01b']);
    const text = formatReport([select('01c')], kitchenFails, 'lessons', { foundations: found });
    expect(text).toContain('01c runs your 01b code (bounded-queue.ts), and 01b fails its own checks: fix 01b first (npm run verify -- 01b)');
    expect(text).toContain('01b › put() waits while full: a queue of capacity 1 never accepted an item');
    expect(text).not.toContain('expected 0 to be 1');
    expect(text).toContain(`Hint for 01b: ${step('01b').hint}`);
    expect(text).not.toContain('Hint for 01c');
  });

  it('says nothing when the foundations pass, and keeps the failed step\'s own hint', async () => {
    const session = fakeSession({ '01a': [check('01a', 'one thread at a time')], '01b': [check('01b', 'put() waits while full')] });
    const found = await findFoundations(session, kitchenFails, [step('01c')]);
    expect(found.size).toBe(0);
    const text = formatReport([select('01c')], kitchenFails, 'lessons', { foundations: found });
    expect(text).not.toContain('fails its own checks');
    expect(text).toContain('Hint for 01c');
  });

  it('does not run again a foundation that passed and whose files did not change since', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    const record = { status: 'passed', passed: 1, checks: 1, at: later };
    writeFileSync(process.env.WORKSHOP_PROGRESS!, JSON.stringify({ about: '', version: 1, steps: { '01a': record } }));
    try {
      const session = fakeSession({ '01b': [check('01b', 'put() waits while full', 'never accepted an item')] });
      const found = await findFoundations(session, kitchenFails, [step('01c')]);
      expect(session.asked).toEqual([['01b']]);
      expect(found.get('01c')?.[0]?.step.id).toBe('01b');
    } finally {
      rmSync(process.env.WORKSHOP_PROGRESS!, { force: true });
    }
  });

  it('runs nothing more when the failed step builds on nothing, or when nothing failed', async () => {
    const session = fakeSession({});
    await findFoundations(session, run([check('02b', 'dries', 'never waited')]), [step('02b')]);
    await findFoundations(session, run([check('01c', 'kitchen')]), [step('01c')]);
    expect(session.asked).toEqual([]);
  });

  it('uses the failures of this run when the foundation was checked in it (verify -- 06)', async () => {
    const session = fakeSession({});
    const whole = run([check('06a', 'takes a job with BLMOVE', 'your worker used BLPOP'), check('06d', 'closes gracefully', 'a job was lost')]);
    const found = await findFoundations(session, whole, select('06').steps);
    expect(session.asked).toEqual([]);
    expect(found.get('06d')?.[0]?.step.id).toBe('06a');
    expect(found.has('06a')).toBe(false);
  });

  it('is listed in the manifest only as earlier steps of the same lesson', () => {
    for (const lesson of lessons) {
      for (const [index, s] of lesson.steps.entries()) {
        for (const id of s.buildsOn ?? []) expect(lesson.steps.slice(0, index).map((e) => e.id)).toContain(id);
      }
    }
    expect(step('06d').buildsOn).toEqual(['06a', '06b', '06c']);
  });
});
