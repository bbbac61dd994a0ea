/** `npm run race -- NN`: a lesson's bench rows on the learner's code beside the reference's, only for code that passes. */
import { describe, expect, it } from 'vitest';
import { launch, scratchTarget } from './cli.ts';

describe('npm run race', { timeout: 90_000 }, () => {
  it('refuses code that does not pass its checks, and says how many pass', async () => {
    const scratch = scratchTarget('lessons', ['05-client-unblock']);
    try {
      const run = launch(['race', '05'], { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress });
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/Lesson 05 does not pass its checks yet \(0 of \d+ pass\), so it does not race/);
      expect(run.output()).not.toContain('your code');
    } finally {
      scratch.remove();
    }
  });

  it('races code that passes against the reference and the baseline, row by row, in the same run', async () => {
    const scratch = scratchTarget('solutions', ['05-client-unblock']);
    try {
      const run = launch(['race', '05', '--quick'], { WORKSHOP_TARGET: scratch.target, WORKSHOP_PROGRESS: scratch.progress });
      expect(await run.exited, run.output()).toBe(0);
      const output = run.output();
      expect(output).toMatch(/All \d+ checks pass\. Racing/);
      expect(output).toMatch(/\| row +\| what +\| your code +\| reference +\| baseline \(same run\) +\| you vs reference +\| you vs baseline +\|/);
      for (const key of ['05 p50', '05 p99']) {
        expect(output).toMatch(new RegExp(`\\| ${key} +\\| [^|]+\\| [\\d.]+ ms +\\| [\\d.]+ ms +\\| [^|]+\\| [\\d.,]+x(?: \\(a tie\\))? +\\| [\\d.,]+x +\\|`));
      }
    } finally {
      scratch.remove();
    }
  });

  it('races a whole lesson, not a step', async () => {
    const run = launch(['race', '05a'], {});
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('A race is run on a whole lesson: npm run race -- 05');
  });
});
