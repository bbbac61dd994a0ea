import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../workshop/target.ts';
import { endThreads, liveThreads, threadsStarted } from '../support/threads.ts';

describe('thread tracking', () => {
  it('sees a worker that test code starts with the ordinary Worker class, until it exits', async () => {
    const before = threadsStarted();
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
    expect(threadsStarted()).toBe(before + 1);
    expect(liveThreads().map((thread) => thread.file)).toContain('(inline code)');
    const ended = await endThreads();
    expect(ended.map((thread) => thread.worker)).toContain(worker);
    expect(liveThreads()).toEqual([]);
  });
});

describe('TypeScript in worker threads, with no loader', () => {
  const dir = join(ROOT, '.workshop', 'tmp', `threads-${process.pid}`);
  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts `source` as a thread's .ts file and settles with its first message or its error. */
  function runThread(name: string, source: string): Promise<unknown> {
    const file = join(dir, name);
    writeFileSync(file, source);
    const worker = new Worker(pathToFileURL(file), { execArgv: [] });
    return new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  }

  it('runs a .ts file in a thread as Node loads it: types stripped, no tsx in the thread', async () => {
    const reply = await runThread('typed.ts', [
      "import { parentPort } from 'node:worker_threads';",
      'interface Dish { name: string }',
      "const dish: Dish = { name: 'plate' };",
      "parentPort!.postMessage({ dish: dish.name, loaders: process.execArgv.filter((arg: string) => arg.includes('tsx')) });",
    ].join('\n'));
    expect(reply).toEqual({ dish: 'plate', loaders: [] });
  });

  it('names the file, the line and the fix when a thread uses an enum', async () => {
    const failed = runThread('enum.ts', "const ok = 1;\nenum Side { Wash, Dry }\nconsole.log(ok, Side.Dry);\n");
    await expect(failed).rejects.toThrow(/enum\.ts:2: a worker thread could not load this file: .*enum.*union of string literals/);
  });

  it('names the fix for a parameter property', async () => {
    const failed = runThread('property.ts', 'export class Cook {\n  constructor(private readonly id: number) {}\n}\n');
    await expect(failed).rejects.toThrow(/property\.ts:2: .*declare the field in the class body/);
  });

  it('says to write .ts in an import that has no extension', async () => {
    writeFileSync(join(dir, 'helper.ts'), 'export const n = 1;\n');
    const failed = runThread('importer.ts', "import { n } from './helper';\nconsole.log(n);\n");
    await expect(failed).rejects.toThrow(/importer\.ts: .*imports .*helper without an extension.*\.ts at the end/);
  });
});
