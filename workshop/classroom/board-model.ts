/**
 * The board in memory: what each learner did on each step, turned into the snapshot the page
 * draws and the files the instructor exports. Pure: the server feeds it and stores what it returns.
 */
import { lessons } from '../manifest.ts';
import { STUCK_AFTER_MS, type BoardLearner, type BoardSnapshot, type LearnerStep, type StepReport, type StepSummary } from './protocol.ts';
import type { Learner } from './state.ts';

const STEPS = lessons.flatMap((lesson) => lesson.steps.map((step) => ({ id: step.id, title: step.title, lesson: lesson.id })));
export const STEP_IDS = new Set(STEPS.map((step) => step.id));

/** Folds a step's new result into what was known of it. */
export function nextStep(previous: LearnerStep | undefined, report: StepReport, now: Date): LearnerStep {
  const at = now.toISOString();
  const passing = report.status === 'passed';
  return {
    status: report.status,
    passed: report.passed,
    checks: report.checks,
    at,
    ...(passing ? {} : { failingSince: previous?.failingSince ?? at }),
    failing: passing ? [] : report.failing,
    runs: (previous?.runs ?? 0) + 1,
  };
}

export function snapshot(learners: ReadonlyMap<string, Learner>, steps: ReadonlyMap<string, ReadonlyMap<string, LearnerStep>>, now = new Date()): BoardSnapshot {
  const board: BoardLearner[] = [...learners.values()]
    .sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.name.localeCompare(b.name))
    .map((learner) => {
      const own = steps.get(learner.id) ?? new Map<string, LearnerStep>();
      const current = learner.current ? own.get(learner.current) : undefined;
      const since = current?.failingSince;
      const stuck = learner.current && since && now.getTime() - Date.parse(since) > STUCK_AFTER_MS ? { step: learner.current, since } : undefined;
      return {
        id: learner.id,
        name: learner.name,
        joinedAt: learner.joinedAt,
        lastSeen: learner.lastSeen,
        ...(learner.current ? { current: learner.current } : {}),
        ...(stuck ? { stuck } : {}),
        steps: Object.fromEntries(own),
      };
    });
  return { at: now.toISOString(), steps: STEPS, learners: board, summary: summarize(board) };
}

function summarize(board: readonly BoardLearner[]): Record<string, StepSummary> {
  const summary: Record<string, StepSummary> = {};
  for (const step of STEPS) {
    let passed = 0;
    let failing = 0;
    const failures = new Map<string, { check: string; message: string; learners: number }>();
    for (const learner of board) {
      const record = learner.steps[step.id];
      if (!record) continue;
      if (record.status === 'passed') {
        passed++;
        continue;
      }
      failing++;
      // A learner counts once per step: their first failing check is the one they are working on.
      const first = record.failing[0];
      if (!first) continue;
      const key = `${first.check}\n${first.message}`;
      const entry = failures.get(key) ?? { ...first, learners: 0 };
      entry.learners++;
      failures.set(key, entry);
    }
    const common = [...failures.values()].sort((a, b) => b.learners - a.learners)[0];
    summary[step.id] = { passed, failing, ...(common ? { commonFailure: common } : {}) };
  }
  return summary;
}

/** One row per learner and step with a result: a spreadsheet's view of the board. */
export function toCsv(board: BoardSnapshot): string {
  const rows = [['learner', 'step', 'status', 'passed', 'checks', 'runs', 'last result', 'failing since', 'first failing check', 'message']];
  for (const learner of board.learners) {
    for (const step of board.steps) {
      const record = learner.steps[step.id];
      if (!record) continue;
      const first = record.failing[0];
      rows.push([
        learner.name, step.id, record.status, String(record.passed), String(record.checks), String(record.runs),
        record.at, record.failingSince ?? '', first?.check ?? '', first?.message ?? '',
      ]);
    }
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** RFC 4180 quoting, and a leading = + - @ neutralised so a spreadsheet never runs a name as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
