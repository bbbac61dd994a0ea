import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, targetDir } from '../../workshop/target.ts';

describe('targetDir()', () => {
  it('is lessons/ by default and solutions/ when asked', () => {
    expect(targetDir({})).toBe(join(ROOT, 'lessons'));
    expect(targetDir({ WORKSHOP_TARGET: 'solutions' })).toBe(join(ROOT, 'solutions'));
    expect(targetDir({ WORKSHOP_TARGET: 'test/harness/fixtures/hanging' })).toBe(join(ROOT, 'test/harness/fixtures/hanging'));
  });

  it('refuses a folder outside the project or one that does not exist', () => {
    expect(() => targetDir({ WORKSHOP_TARGET: '/tmp' })).toThrow(/a folder inside the project, got `\/tmp`/);
    expect(() => targetDir({ WORKSHOP_TARGET: 'solution' })).toThrow(/does not exist\. Use lessons \(your code\) or solutions/);
  });
});
