/**
 * The words of a hang: what a learner reads when a check is stopped at its limit, from the facts
 * the test process gathered (Redis, threads, processes).
 */
import { describe, expect, it } from 'vitest';
import { blockedKeys, explainHang, pushedKey, type HangFacts, type StuckClient } from '../../workshop/checks/hang.ts';

const base: HangFacts = { stepId: '02b', check: 'dries every dish', limitMs: 4000, threads: [], children: [] };
const dryer: StuckClient = { client: 'dryer', command: 'BLPOP', keys: ['dishes'], waitedMs: 3900, pushes: 0, pushedElsewhere: [], channels: 0 };

describe('a hang explained', () => {
  it('names the check, the limit, the blocked command and its key, and says nothing was pushed there', () => {
    const text = explainHang({ ...base, clients: [{ ...dryer, keys: ['dishes-typo'], pushedElsewhere: ['dishes'] }] });
    expect(text.split('\n')[0]).toBe('02b › dries every dish: stopped at its 4 s time limit, still waiting.');
    expect(text).toContain('- your dryer is still in BLPOP on dishes-typo, waiting for 3.9 s; nothing was pushed to dishes-typo during the check (pushes went to dishes)');
  });

  it('says when what was pushed was all taken and the client waits for one more', () => {
    expect(explainHang({ ...base, clients: [{ ...dryer, pushes: 5 }] })).toContain('the 5 item(s) pushed to dishes during the check were all taken, and it waits for one more');
  });

  it('names a listener, a thread still running and a child process', () => {
    const text = explainHang({
      ...base,
      clients: [{ ...dryer, client: 'listener', command: '', keys: [], waitedMs: undefined, channels: 1 }],
      threads: [{ file: 'status-worker.ts', ageMs: 3800 }],
      children: ['node worker-process.ts (pid 42)'],
    });
    expect(text).toContain('- your listener is subscribed to 1 channel(s) and still waiting for a message');
    expect(text).toContain('- worker thread status-worker.ts is still running (started 3.8 s before)');
    expect(text).toContain('- child process still running: node worker-process.ts (pid 42)');
  });

  it('with nothing blocked and nothing running, points at a promise that never settles', () => {
    expect(explainHang({ ...base, clients: [] })).toContain('awaiting a promise that never settles');
  });

  it('reads the keys of blocking commands and the key of pushes', () => {
    expect(blockedKeys('BLPOP', ['a', 'b', '0'])).toEqual(['a', 'b']);
    expect(blockedKeys('BLMOVE', ['waiting', 'processing', 'LEFT', 'LEFT', '1'])).toEqual(['waiting']);
    expect(blockedKeys('BLMPOP', ['0', '2', 'a', 'b', 'LEFT'])).toEqual(['a', 'b']);
    expect(blockedKeys('XREAD', ['BLOCK', '0', 'STREAMS', 's1', 's2', '$', '$'])).toEqual(['s1', 's2']);
    expect(pushedKey('RPUSH', ['dishes', 'salad'])).toBe('dishes');
    expect(pushedKey('LMOVE', ['waiting', 'processing', 'LEFT', 'LEFT'])).toBe('processing');
    expect(pushedKey('GET', ['dishes'])).toBeUndefined();
  });
});
