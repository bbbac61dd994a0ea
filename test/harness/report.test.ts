/**
 * verify's report: one mistake, one story. The first failure of a step whole, the others of that
 * step a line each, marked as following from it; every failure whole with --full.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../workshop/checks/report.ts';
import type { CheckResult, RunResult } from '../../workshop/checks/check-result.ts';
import { select } from '../../workshop/manifest.ts';

const check = (stepId: string, name: string, message?: string, diff?: string): CheckResult =>
  ({ stepId, name, state: message ? 'failed' : 'passed', message, diff, durationMs: 1 });
const run = (checks: CheckResult[]): RunResult => ({ checks, loadErrors: [], unhandled: [], stalled: false });

// What an LPUSH washer gets: the order is wrong in every check that looks at it.
const lpush = run([
  check('02a', 'pushes every dish onto the tail', 'you pushed on the head (LPUSH). Push on the tail with RPUSH: expected [ 1 ] to deeply equal [ 2 ]\n\nRedis commands, as Redis saw them:\n  +1ms washer LPUSH dishes salad', '\u001b[32m- Expected\u001b[39m\n\u001b[31m+ Received\u001b[39m'),
  check('02a', 'uses the list it is given'),
  check('02a', 'adds to the tail of a list that already holds dishes', 'the soup already in the list must stay first: expected [ 2 ] to deeply equal [ 1 ]\n\nRedis commands…'),
  check('02a', 'keeps names intact', 'the soup already in the list must stay first: expected [ 2 ] to deeply equal [ 1 ]\n\nRedis commands…'),
  check('02b', 'dries every dish', 'the dryer stopped before quit'),
]);

describe('the report', () => {
  it('shows the first failure of a step whole, and each later one in a line that says it likely follows from it', () => {
    const text = formatReport([select('02')], lpush, 'lessons');
    expect(text).toContain('you pushed on the head (LPUSH)');
    expect(text).toContain('+1ms washer LPUSH dishes salad');
    expect(text).toMatch(/✗ adds to the tail of a list that already holds dishes\n\s+↳ likely follows from the first failure above; fix that one first \(this one: the soup already in the list must stay first\)/);
    // Its timeline and vitest's expected/received are left out of the line.
    expect(text.match(/Redis commands/g)).toHaveLength(1);
    expect(text).not.toMatch(/to deeply equal \[ 1 \]/);
    // The same message twice says so.
    expect(text).toMatch(/✗ keeps names intact\n\s+↳ the same as above/);
    // Another step's first failure is its own story, whole.
    expect(text).toMatch(/✗ dries every dish\n\s+the dryer stopped before quit/);
  });

  it('shows every failure whole with full', () => {
    const text = formatReport([select('02')], lpush, 'lessons', { full: true });
    expect(text).not.toContain('↳');
    expect(text.match(/Redis commands/g)).toHaveLength(3);
  });

  it("prints vitest's diff without colour codes when nobody is looking at a terminal", () => {
    const before = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const text = formatReport([select('02a')], lpush, 'lessons');
      expect(text).toContain('- Expected');
      expect(text).not.toContain('\u001b[');
    } finally {
      if (before === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = before;
    }
  });

  it('names the schedule that replays a failure only when the failed step runs threads', () => {
    const seeded = (checks: CheckResult[]): RunResult => ({ ...run(checks), seed: 4711 });
    const threads = formatReport([select('03')], seeded([check('03a', 'three dryers', 'a dish was dried twice'), check('03b', 'spaces the starts', 'too close')]), 'lessons');
    expect(threads).toContain('npm run verify -- 03a --seed 4711');
    const redisOnly = formatReport([select('03')], seeded([check('03a', 'three dryers'), check('03b', 'spaces the starts', 'too close')]), 'lessons');
    expect(redisOnly).not.toMatch(/schedule|--seed/);
  });
});
