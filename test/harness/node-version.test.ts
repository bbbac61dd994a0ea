import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import runtime from '../../workshop/runtime/node-version.cjs';
import { ROOT } from '../../workshop/target.ts';

describe('the Node versions the workshop runs on', () => {
  it('takes 22.22 and later 22s, every 24 and 26 on, and refuses the rest', () => {
    const verdicts = ['18.20.4', '20.19.0', '20.20.2', '22.12.0', '22.21.9', '22.22.0', '23.11.0', '24.0.0', 'v24.21.0', '25.2.1', '26.0.0', '28.1.0']
      .map((version) => `${version} ${runtime.supported(version) ? 'yes' : 'no'}`);
    expect(verdicts).toEqual([
      '18.20.4 no', '20.19.0 no', '20.20.2 no', '22.12.0 no', '22.21.9 no', '22.22.0 yes',
      '23.11.0 no', '24.0.0 yes', 'v24.21.0 yes', '25.2.1 no', '26.0.0 yes', '28.1.0 yes',
    ]);
  });
});

describe('on an old Node', () => {
  // Node reports 20.20.2 as its version: the same path as a real Node 20 up to the check itself.
  const PRETEND = `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'20.20.2'}})`;
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', PRETEND, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });

  for (const [what, args] of [
    ['npm install (its preinstall script)', ['workshop/runtime/node-version.cjs']],
    ['npm start', ['workshop/launch.mjs', 'start']],
    ['npm run verify', ['workshop/launch.mjs', 'verify', '02']],
  ] as const) {
    it(`${what} says which Node it found, which it needs and how to get it, and nothing else`, () => {
      const result = run(...args);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toBe('This workshop needs Node.js 26 LTS (24, and 22.22 or newer on 22, also work); this is Node.js 20.20.2.');
      expect(result.stderr).toMatch(/nvm install 26/);
      expect(result.stderr).toMatch(/fnm install 26/);
      expect(result.stderr).toMatch(/volta install node@26/);
      expect(result.stderr).toMatch(/nodejs\.org/);
      expect(lines.length).toBeLessThanOrEqual(6);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    });
  }
});
