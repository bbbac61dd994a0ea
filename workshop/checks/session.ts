/**
 * A check session: one vitest instance kept open so that checks can run again and again (watch
 * mode, `--repeat`) without paying for vitest's start-up, the config and a new Redis each time.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerializedError } from 'vitest';
import { createVitest, type TestCase, type TestModule, type Vitest } from 'vitest/node';
import { killDescendants } from './children.ts';
import { explainStuck } from './hang.ts';
import { describeError, locate, type CheckResult, type RunResult, type StuckCheck } from './check-result.ts';
import { ProgressTracker, type CheckInProgress, type RunProgress } from './run-progress.ts';
import { findStep, minRedisFor, stepIdOf, type LessonInfo, type StepInfo } from '../manifest.ts';
import { ROOT, targetDir } from '../target.ts';
import { useClassroomRedis } from '../classroom/membership.ts';
import { newSeed, SEED_VARIABLE, seedFromEnv } from '../perturb/schedule.ts';
import { NOTES_VARIABLE } from '../typescript/fallback.ts';

export interface SessionOptions {
  /** The lessons this session may check; Redis is provided only when one of them needs it. */
  lessons: readonly LessonInfo[];
  /** `lessons`, `solutions`, or a folder in the project. */
  target?: string;
}

export interface RunOptions {
  steps?: readonly StepInfo[];
  changed?: readonly string[];
  deadlineMs?: number;
  /** Called at once, then whenever a check starts or ends: what the live line shows. */
  onProgress?: (progress: RunProgress) => void;
  /**
   * The seed of the threads' schedules (workshop/perturb): `--seed N` replays one. Without it, the
   * environment's WORKSHOP_SEED, or a new seed every run; `off` (in the environment) turns it off.
   */
  seed?: number;
}

/**
 * A check past its time limit is stopped by vitest inside the test process, which then reports
 * it within a moment. When the process has said nothing for this long past the limit, its thread
 * is stuck in a loop that never awaits (the limit's own timer cannot fire): stop the run.
 */
const STUCK_GRACE_MS = 10_000;

export interface CheckSession {
  readonly target: string;
  readonly lessons: readonly LessonInfo[];
  /**
   * Runs the checks of `steps` (all steps of the session's lessons when absent). `changed` files
   * are read afresh. A run that outlives `deadlineMs` is reported as stalled and ends the session.
   */
  run(options?: RunOptions): Promise<RunResult>;
  /**
   * Stops the run in progress: the check running now ends as it would, the others do not start,
   * and run() resolves with what ran (no verdict). Nothing happens when no run is in progress.
   */
  cancel(): Promise<void>;
  /** Ends the test processes and stops the Redis this session started. Safe to call twice. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export async function openSession(options: SessionOptions): Promise<CheckSession> {
  const target = options.target ?? process.env.WORKSHOP_TARGET ?? 'lessons';
  // The vitest config and the test processes read these; they must be set before vitest starts.
  process.env.WORKSHOP_TARGET = target;
  const targetPath = targetDir();
  process.env.WORKSHOP_NEEDS_REDIS = options.lessons.some((lesson) => lesson.minRedis) ? '1' : '0';
  const minimum = minRedisFor(options.lessons);
  if (minimum) process.env.WORKSHOP_MIN_REDIS = minimum;
  else delete process.env.WORKSHOP_MIN_REDIS;
  delete process.env.WORKSHOP_REDIS_DESCRIPTION;
  // A learner in a class checks their own code on their own Redis there.
  if (target === 'lessons') await useClassroomRedis();

  // Learner files loaded through tsx (workshop/typescript) leave a line each here, from any thread or process of a run.
  const notes = mkdtempSync(join(tmpdir(), 'workshop-typescript-'));
  process.env[NOTES_VARIABLE] = notes;

  const perturbing = process.env[SEED_VARIABLE] !== 'off';
  const fixedSeed = seedFromEnv();

  // What learner code prints during a failing check, by vitest's task id (silent: 'passed-only').
  const printed = new Map<string, string>();
  // A failed check is told as soon as it has failed, in the report's own shape (see RunProgress.firstFailure).
  const tracker = new ProgressTracker((test, stepId) => checkOf(test, stepId, targetPath, false, printed));
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const theirs = signals.map((signal) => new Set(process.listeners(signal)));
  const vitest: Vitest = await createVitest(
    'test',
    {
      root: ROOT,
      project: 'lessons',
      watch: false,
      reporters: [
        tracker.reporter,
        {
          onUserConsoleLog(log) {
            if (log.taskId) printed.set(log.taskId, (printed.get(log.taskId) ?? '') + log.content);
          },
        },
      ],
      passWithNoTests: true,
      silent: 'passed-only',
    },
    {},
    { stdout: process.stdout, stderr: process.stderr },
  );
  // vitest exits the process 1 ms after Ctrl-C, before anything it started can be stopped; the
  // runner's commands handle the signals themselves and close the session first.
  signals.forEach((signal, index) => {
    for (const listener of process.listeners(signal)) if (!theirs[index]!.has(listener)) process.off(signal, listener);
  });
  await vitest.standalone();
  const files = options.lessons.map((lesson) => `${ROOT}/test/${lesson.slug}.test.ts`);
  let closing: Promise<void> | undefined;
  let closed = false;
  let inRun = false;
  let cancelled = false;

  const close = (stuck = false) => {
    closed = true;
    // A test process stuck in a synchronous loop can keep close() waiting; three seconds is enough,
    // and one when the run already knows it is stuck.
    const wait = stuck ? 1000 : 3000;
    closing ??= Promise.race([vitest.close(), new Promise<void>((resolve) => setTimeout(resolve, wait).unref())]).then(() => {
      // close() does not wait for a test process stuck in a check (a BLPOP that never returns): end it.
      killDescendants();
      rmSync(notes, { recursive: true, force: true });
    });
    return closing;
  };

  return {
    target,
    lessons: options.lessons,
    get closed() {
      return closed;
    },
    close: () => close(),
    async cancel() {
      if (!inRun || cancelled) return;
      cancelled = true;
      await vitest.cancelCurrentRun('keyboard-input');
    },
    async run({ steps, changed = [], deadlineMs, onProgress, seed: asked } = {}) {
      if (closed) throw new Error('This check session is closed; open a new one.');
      inRun = true;
      cancelled = false;
      printed.clear();
      // Each run tells each fallback once.
      rmSync(notes, { recursive: true, force: true });
      mkdirSync(notes, { recursive: true });
      // The test processes start for each run and read the seed from the environment they inherit.
      const seed = asked ?? (perturbing ? (fixedSeed ?? newSeed()) : undefined);
      if (seed !== undefined) process.env[SEED_VARIABLE] = String(seed);
      const wanted = steps ?? options.lessons.flatMap((lesson) => lesson.steps);
      // First, before anything slow: the learner sees at once that the checks have started.
      const progress = tracker.begin(wanted.map((step) => step.id), vitest.state.getTestModules(), onProgress);
      vitest.setGlobalTestNamePattern(steps ? `^(${steps.map((step) => step.id).join('|')}) ` : /.*/);
      for (const file of changed) vitest.invalidateFile(file);
      const specifications = (await vitest.globTestSpecifications(files)).filter((spec) => spec.project.name === 'lessons');
      const limit = deadlineMs ?? wanted.reduce((sum, step) => sum + step.timeoutMs, 0) + 30_000;
      let timer: NodeJS.Timeout | undefined;
      let watchdog: NodeJS.Timeout | undefined;
      let stuck: StuckCheck | undefined;
      const deadline = new Promise<'stalled'>((resolve) => {
        timer = setTimeout(() => resolve('stalled'), limit);
        watchdog = setInterval(() => {
          stuck = stuckCheck(progress, tracker.running());
          if (stuck) resolve('stalled');
        }, 250);
      });
      let running: CheckInProgress | undefined;
      const outcome = await Promise.race([vitest.runTestSpecifications(specifications), deadline]).finally(() => {
        clearTimeout(timer);
        clearInterval(watchdog);
        running = tracker.running();
        tracker.end();
        inRun = false;
      });
      const stalled = outcome === 'stalled';
      stuck ??= stalled ? stuckCheck(progress, running, true) : undefined;
      if (stalled) await close(true);
      const modules = stalled ? vitest.state.getTestModules() : outcome.testModules;
      const unhandled = stalled ? [] : outcome.unhandledErrors;
      return { ...collect(modules, unhandled as readonly SerializedError[], wanted, targetPath, stalled, printed, stuck), seed, typescriptNotes: readNotes(notes) };
    },
  };
}

function collect(
  modules: readonly TestModule[],
  unhandled: readonly SerializedError[],
  steps: readonly StepInfo[],
  targetPath: string,
  stalled: boolean,
  printed: ReadonlyMap<string, string>,
  stuck?: StuckCheck,
): RunResult {
  const checks: CheckResult[] = [];
  const loadErrors: string[] = [];
  for (const module of modules) {
    for (const error of module.errors()) loadErrors.push(describeError(error, targetPath));
    for (const test of module.children.allTests()) {
      const stepId = stepIdOf(test.fullName) ?? '';
      if (!findStep(stepId) || !steps.some((step) => step.id === stepId)) continue;
      if (stuck && stuck.stepId === stepId && stuck.name === test.name) {
        checks.push({ stepId, name: test.name, state: 'failed', message: explainStuck(stuck), durationMs: stuck.elapsedMs });
        continue;
      }
      checks.push(checkOf(test, stepId, targetPath, stalled, printed));
    }
  }
  return {
    checks,
    loadErrors,
    unhandled: unhandled.map((error) => describeError(error, targetPath)),
    stalled,
    stuck,
    redis: process.env.WORKSHOP_REDIS_DESCRIPTION,
  };
}

/** One check's result in the plain shape the report prints. */
function checkOf(test: TestCase, stepId: string, targetPath: string, stalled: boolean, printed: ReadonlyMap<string, string>): CheckResult {
  const result = test.result();
  const error = result.state === 'failed' ? result.errors[0] : undefined;
  return {
    stepId,
    name: test.name,
    state: result.state === 'pending' ? 'skipped' : result.state,
    message: error
      ? describeError(error, targetPath, false)
      : result.state === 'skipped'
        ? result.note
        : result.state === 'pending' && stalled
          ? 'the run was stopped before it'
          : undefined,
    diff: error?.diff,
    location: error ? locate(error, targetPath) : undefined,
    durationMs: test.diagnostic()?.duration ?? 0,
    output: printed.get(test.id),
  };
}

/** The lines the TypeScript fallback left in `dir`, in file order. */
function readNotes(dir: string): string[] {
  try {
    return readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8').trim())
      .filter(Boolean)
      .sort();
  } catch {
    return [];
  }
}

/** The check that is running and has not been heard from since its limit (any running check, with `always`). */
function stuckCheck(progress: RunProgress, current: CheckInProgress | undefined, always = false): StuckCheck | undefined {
  if (!current) return undefined;
  const now = Date.now();
  const silent = now - current.startedAt > current.timeoutMs + STUCK_GRACE_MS && now - progress.lastHeardAt > STUCK_GRACE_MS;
  return silent || always ? { stepId: current.stepId, name: current.name, elapsedMs: now - current.startedAt, timeoutMs: current.timeoutMs } : undefined;
}
