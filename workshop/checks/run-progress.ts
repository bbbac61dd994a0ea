/**
 * Where a run of checks is, moment by moment: which check runs now and since when, how many are
 * done out of how many. Fed by vitest's reporter events (no polling); read by the live line the
 * runner draws and by the session's watchdog, which names the check that never gave control back.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { findStep, stepIdOf } from '../manifest.ts';
import type { CheckResult } from './check-result.ts';

export interface CheckInProgress {
  stepId: string;
  /** The check's own name, without the step. */
  name: string;
  /** When the check started, by this process's clock (`Date.now()`). */
  startedAt: number;
  /** The step's time limit for one check. */
  timeoutMs: number;
}

export interface RunProgress {
  /** The steps this run checks, in order. */
  steps: readonly string[];
  /** How many checks the run has; undefined until the test files are loaded. */
  total?: number;
  done: number;
  /** The check running now, if any. */
  current?: CheckInProgress;
  startedAt: number;
  /** The last time the test process said anything (a check, a hook, a log): a sign it is not stuck. */
  lastHeardAt: number;
  /** The first check of the run that failed, as soon as it has: shown at once while the rest run. */
  firstFailure?: CheckResult;
}

/** Follows one run at a time; `reporter` goes into vitest's reporters once, `begin()` starts each run. */
export class ProgressTracker {
  private progress?: RunProgress;
  private wanted = new Set<string>();
  private listener?: (progress: RunProgress) => void;
  private readonly counted = new Set<string>();
  private modules: TestModule[] = [];

  private readonly describe?: (test: TestCase, stepId: string) => CheckResult;

  /** `describe` turns a finished check into the report's shape, for RunProgress.firstFailure. */
  constructor(describe?: (test: TestCase, stepId: string) => CheckResult) {
    this.describe = describe;
  }

  readonly reporter: Reporter = {
    onTestModuleCollected: (module) => this.collected(module),
    onTestCaseReady: (test) => this.ready(test),
    onTestCaseResult: (test) => this.finished(test),
    onHookStart: () => this.heard(),
    onHookEnd: () => this.heard(),
    onUserConsoleLog: () => this.heard(),
  };

  /**
   * Starts following a run of `steps`. `known` are the test files from an earlier run: their
   * checks can be counted at once, before the files are loaded again.
   */
  begin(steps: readonly string[], known: readonly TestModule[], listener?: (progress: RunProgress) => void): RunProgress {
    const now = Date.now();
    this.wanted = new Set(steps);
    this.listener = listener;
    this.counted.clear();
    this.modules = [];
    const total = known.length > 0 ? known.reduce((sum, module) => sum + this.count(module), 0) : undefined;
    this.progress = { steps, total, done: 0, startedAt: now, lastHeardAt: now };
    this.emit();
    return this.progress;
  }

  /** Stops following; later events (a straggler from a stopped run) change nothing. */
  end(): void {
    this.progress = undefined;
    this.listener = undefined;
  }

  /**
   * The check running now, as far as this process can tell. A test process reports a check's
   * start up to 100 ms late (vitest batches its events), so a check whose thread was taken at
   * once may never be reported: then it is the first of the run that has not finished, and it
   * has run since the process was last heard from.
   */
  running(): CheckInProgress | undefined {
    if (!this.progress) return undefined;
    if (this.progress.current) return this.progress.current;
    for (const module of this.modules) {
      for (const test of module.children.allTests()) {
        const stepId = stepIdOf(test.fullName);
        if (!stepId || !this.wanted.has(stepId) || test.result().state !== 'pending') continue;
        return { stepId, name: test.name, startedAt: this.progress.lastHeardAt, timeoutMs: findStep(stepId)?.step.timeoutMs ?? 0 };
      }
    }
    return undefined;
  }

  private count(module: TestModule): number {
    let count = 0;
    for (const test of module.children.allTests()) if (this.wanted.has(stepIdOf(test.fullName) ?? '')) count++;
    return count;
  }

  private collected(module: TestModule): void {
    if (!this.progress) return;
    // One file per lesson: the first collected replaces an estimate from the last run, the others add up.
    this.modules.push(module);
    if (!this.counted.has(module.id)) {
      const before = this.counted.size === 0 ? 0 : (this.progress.total ?? 0);
      this.counted.add(module.id);
      this.progress.total = before + this.count(module);
    }
    this.heard();
  }

  private ready(test: TestCase): void {
    const stepId = stepIdOf(test.fullName);
    if (!this.progress || !stepId || !this.wanted.has(stepId)) return this.heard();
    this.progress.current = { stepId, name: test.name, startedAt: Date.now(), timeoutMs: findStep(stepId)?.step.timeoutMs ?? 0 };
    this.heard();
  }

  private finished(test: TestCase): void {
    const stepId = stepIdOf(test.fullName);
    if (!this.progress || !stepId || !this.wanted.has(stepId)) return this.heard();
    this.progress.done++;
    if (this.progress.current?.name === test.name && this.progress.current.stepId === stepId) this.progress.current = undefined;
    if (!this.progress.firstFailure && this.describe && test.result().state === 'failed') this.progress.firstFailure = this.describe(test, stepId);
    this.heard();
  }

  private heard(): void {
    if (!this.progress) return;
    this.progress.lastHeardAt = Date.now();
    this.emit();
  }

  private emit(): void {
    if (this.progress) this.listener?.(this.progress);
  }
}
