import type { SerializedError } from 'vitest';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../workshop/checks/check-result.ts';
import { wantsColor } from '../../workshop/runner/terminal.ts';

describe('what the runner prints', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it('colours a terminal, not a pipe; NO_COLOR turns it off and FORCE_COLOR on', () => {
    expect([wantsColor(tty, {}), wantsColor(pipe, {})]).toEqual([true, false]);
    expect([wantsColor(tty, { NO_COLOR: '1' }), wantsColor(pipe, { FORCE_COLOR: '1' }), wantsColor(tty, { FORCE_COLOR: '0' }), wantsColor(pipe, { FORCE_COLOR: '' })]).toEqual([false, true, false, false]);
  });

  it('keeps the teaching message and drops how the assertion library compared', () => {
    const error = { name: 'AssertionError', message: 'the list ends with "dessert": it must end with "quit": expected \'dessert\' to be \'quit\' // Object.is equality' } as SerializedError;
    expect(describeError(error, '/nowhere', false)).toBe('the list ends with "dessert": it must end with "quit": expected \'dessert\' to be \'quit\'');
  });
});
