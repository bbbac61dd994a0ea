/**
 * tsx: what the TypeScript fallback (workshop/typescript) costs a thread's start, from new Worker
 * to 'online' to its first message: a thread file with an enum, which the fallback compiles with
 * tsx's esbuild, against the same file with a const object instead, whose types Node strips. Both
 * load the fallback's preload, as the checks' threads do, from a learner folder of the bench's own;
 * the two kinds take turns, so that both see the same machine.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../../workshop/target.ts';
import { NOTES_VARIABLE } from '../../workshop/typescript/fallback.ts';
import type { Item, Measured } from '../item.ts';
import { median } from '../stats.ts';
import { PRELOAD, timeThreadStart, type ThreadStart } from '../thread-start.ts';

const FILES = {
  stripped: "const Side = { Wash: 'wash', Dry: 'dry' } as const;",
  tsx: "enum Side {\n  Wash = 'wash',\n  Dry = 'dry',\n}",
};
type Kind = keyof typeof FILES;

const body = (declaration: string) =>
  `import { parentPort } from 'node:worker_threads';\n\n${declaration}\n\nparentPort!.postMessage({ side: Side.Dry, at: Date.now() });\n`;

/** Starts one thread on `file` as a learner folder `target` would (with the preload unless `bare`). */
const startOnce = (file: string, target: string, bare = false): Promise<ThreadStart> =>
  timeThreadStart(file, { ...process.env, WORKSHOP_TARGET: target, [NOTES_VARIABLE]: '' }, { bare });

export const typescriptStart: Item = {
  id: 'tsx',
  title: 'a thread start through the TypeScript fallback',
  rows: [
    {
      key: 'tsx thread',
      what: 'a thread file with an enum (tsx compiles it): new Worker to first message',
      unit: 'ms',
      baselineWhat: 'the same file with a const object (Node strips it)',
      baselineUnit: 'ms',
      goal: { kind: 'none' },
      lowerIsBetter: true,
    },
  ],
  async run(ctx): Promise<Measured[]> {
    const dir = join(ROOT, '.workshop', 'bench', `typescript-${process.pid}`);
    const lesson = join(dir, '00-threads');
    mkdirSync(lesson, { recursive: true });
    try {
      const files = Object.fromEntries(
        Object.entries(FILES).map(([kind, declaration]) => {
          const file = join(lesson, `${kind}-thread.ts`);
          writeFileSync(file, body(declaration));
          return [kind, file];
        }),
      ) as Record<Kind, string>;
      const target = relative(ROOT, dir);
      const rounds = ctx.quick ? 2 : 15;
      const starts: Record<Kind | 'bare', ThreadStart[]> = { stripped: [], tsx: [], bare: [] };
      // Without the preload too, for what the hook alone costs every thread; unless NODE_OPTIONS already brings it.
      const bare = !(process.env.NODE_OPTIONS ?? '').includes(PRELOAD);
      const start = (kind: Kind | 'bare') => startOnce(files[kind === 'bare' ? 'stripped' : kind], target, kind === 'bare');
      // One of each first, not counted: the disk cache and Node's own first compile.
      for (const kind of ['stripped', 'tsx'] as const) await start(kind);
      for (let round = 0; round < rounds; round++) {
        const order: Array<Kind | 'bare'> = round % 2 === 0 ? ['stripped', 'tsx'] : ['tsx', 'stripped'];
        for (const kind of bare ? [...order, 'bare' as const] : order) starts[kind].push(await start(kind));
      }
      const ms = (values: number[]) => `${Math.round(median(values))} ms`;
      const online = (kind: Kind) => ms(starts[kind].map((entry) => entry.onlineMs));
      const hook = bare
        ? `; the same file without the preload: ${ms(starts.bare.map((entry) => entry.messageMs))} (the hook's own cost to every thread)`
        : '; NODE_OPTIONS already loads the preload, so no thread ran without it';
      return [
        {
          key: 'tsx thread',
          figure: median(starts.tsx.map((entry) => entry.messageMs)),
          baseline: median(starts.stripped.map((entry) => entry.messageMs)),
          note: `median of ${rounds} starts each; online after ${online('tsx')} through tsx, ${online('stripped')} stripped by Node: the difference comes after, loading esbuild and compiling the file${hook}`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
