/**
 * verify: the wall time of `npm run verify -- 02` (lesson 02 is the quickest to verify), against
 * vitest running one trivial test with no Redis; and, to show what verify adds, vitest running
 * lesson 02's checks directly. Each is a child process started with node itself, as the npm
 * scripts do, so that npm's and npx's own start-up (about 0.4 s each) weighs on none of them.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../workshop/target.ts';
import type { BenchContext, Item, Measured } from '../item.ts';
import { median } from '../stats.ts';

const LESSON = '02';
const TEST_FILE = 'test/02-washer-dryer.test.ts';
const VITEST = 'node_modules/vitest/vitest.mjs';

/** Milliseconds from spawn to exit; rejects when the command could not start or `mustPass` and it failed. */
function wallTime(args: string[], env: NodeJS.ProcessEnv, mustPass: boolean): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (mustPass && code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}: ${output.trim().split('\n').slice(-3).join(' / ')}`));
      else resolve(performance.now() - start);
    });
  });
}

export const verifyLesson: Item = {
  id: 'verify',
  title: `verify of lesson ${LESSON}`,
  rows: [
    {
      key: `verify ${LESSON}`,
      what: `npm run verify -- ${LESSON}`,
      unit: 's',
      baselineWhat: 'vitest, one trivial test',
      baselineUnit: 's',
      goal: { kind: 'max-ratio', value: 1.5 },
      whyMissed: `verify starts vitest, a Redis, and runs lesson ${LESSON}'s checks against it; the "vitest 02" row shows how much of that is the checks themselves.`,
    },
    {
      key: `vitest ${LESSON}`,
      what: `vitest run ${TEST_FILE}`,
      unit: 's',
      baselineWhat: 'vitest, one trivial test',
      baselineUnit: 's',
      goal: { kind: 'none' },
      lowerIsBetter: true,
    },
  ],
  async run(ctx: BenchContext): Promise<Measured[]> {
    // A learner's environment: the bench's own server and key prefix stay out of it.
    const env: NodeJS.ProcessEnv = { ...process.env, WORKSHOP_TARGET: ctx.targetName, FORCE_COLOR: '0' };
    delete env.WORKSHOP_REDIS_URL;
    delete env.WORKSHOP_KEY_PREFIX;
    // The bench's runs are not the learner's progress.
    env.WORKSHOP_PROGRESS = join(tmpdir(), `workshop-bench-progress-${process.pid}.json`);
    const commands = {
      verify: () => wallTime(['workshop/launch.mjs', 'verify', LESSON], env, ctx.targetName === 'solutions'),
      trivial: () => wallTime([VITEST, 'run', '--root', join(ROOT, 'bench', 'fixtures', 'trivial')], env, true),
      checks: () => wallTime([VITEST, 'run', '--project', 'lessons', TEST_FILE], env, ctx.targetName === 'solutions'),
    };
    const times = { verify: [] as number[], trivial: [] as number[], checks: [] as number[] };
    if (ctx.quick) {
      // Only the table's shape matters in a quick run: the three at once, once.
      const [verify, trivial, checks] = await Promise.all([commands.verify(), commands.trivial(), commands.checks()]);
      Object.assign(times, { verify: [verify], trivial: [trivial], checks: [checks] });
    } else {
      // Turns, so that a busy moment of the machine hits all three alike.
      for (let round = 0; round < 2; round++) {
        for (const name of ['trivial', 'verify', 'checks'] as const) times[name].push(await commands[name]());
      }
    }
    const [verify, trivial, checks] = [median(times.verify), median(times.trivial), median(times.checks)].map((ms) => ms / 1000) as [number, number, number];
    const note = `median of ${times.verify.length}; verify adds ${(verify - checks).toFixed(2)} s to running the same checks with vitest directly`;
    return [
      { key: `verify ${LESSON}`, figure: verify, baseline: trivial, note },
      { key: `vitest ${LESSON}`, figure: checks, baseline: trivial },
    ];
  },
};
