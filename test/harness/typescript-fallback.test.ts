/**
 * TypeScript that Node's type stripping refuses (an enum, a namespace, a parameter property) in a
 * learner's file: the solutions, each patched to use one such construct
 * (test/harness/fixtures/typescript-fallback/<lesson>.patch), still pass their steps, and verify says once per
 * file that it ran through tsx. A file Node strips never goes near tsx.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchedFiles } from '../../workshop/authoring/mutant-patch.ts';
import { layPatch } from '../../workshop/authoring/overlay.ts';
import { ROOT } from '../../workshop/target.ts';
import { withTypeScriptFallback } from '../../workshop/typescript/fallback.ts';
import { launch } from './cli.ts';

const FIXTURES = join(ROOT, 'test/harness/fixtures/typescript-fallback');
const LESSONS = ['01-bounded-queue', '04-pubsub-status', '05-client-unblock', '06-reliable-queue'];
const patchOf = (slug: string) => readFileSync(join(FIXTURES, `${slug}.patch`), 'utf8');
const LINE = / uses (an enum|a namespace|a parameter property), which Node's type stripping cannot run; it is loaded through tsx instead \(slower to start\)\.$/;

let folder = '';
let target = '';
beforeAll(() => {
  const base = join(ROOT, '.workshop', 'harness');
  mkdirSync(base, { recursive: true });
  folder = mkdtempSync(join(base, 'typescript-'));
  target = relative(ROOT, folder);
  for (const slug of LESSONS) layPatch(folder, slug, patchOf(slug), `typescript-fallback/${slug}`);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('npm run verify on TypeScript Node cannot strip', { timeout: 90_000 }, () => {
  let code: number | null = null;
  let output = '';
  beforeAll(async () => {
    const run = launch(['verify', '01c', '04', '05a', '06a'], { WORKSHOP_TARGET: target });
    code = await run.exited;
    output = run.output();
  }, 120_000);

  const told = () => output.split('\n').filter((line) => LINE.test(line));

  it('passes each step whose files use an enum, a namespace or a parameter property', () => {
    for (const step of ['01c', '04a', '04b', '05a', '06a']) expect(output, `step ${step}`).toMatch(new RegExp(`^${step} `, 'm'));
    expect(output).toMatch(/^\d+ passed, 0 failed$/m);
    expect(code, output).toBe(0);
  });

  it('says once per file, with its line, what ran through tsx: an enum in a thread, a namespace in a child process', () => {
    expect(told()).toContain(`${target}/01-bounded-queue/kitchen-worker.ts:9 uses an enum, which Node's type stripping cannot run; it is loaded through tsx instead (slower to start).`);
    // status.ts loads in 04a's checks (through vitest's own compiler) and in 04b's worker thread (through Node): the thread tells.
    expect(told()).toContain(`${target}/04-pubsub-status/status.ts:9 uses an enum, which Node's type stripping cannot run; it is loaded through tsx instead (slower to start).`);
    expect(told()).toContain(`${target}/06-reliable-queue/worker-process.ts:17 uses a namespace, which Node's type stripping cannot run; it is loaded through tsx instead (slower to start).`);
    // 06a starts many worker processes and 01c many threads: still one line per file.
    expect(new Set(told()).size).toBe(told().length);
  });

  it('says nothing of the files Node strips as they are', () => {
    expect(told(), 'no line at all: the fallback never ran').not.toEqual([]);
    const rewritten = LESSONS.flatMap((slug) => patchedFiles(patchOf(slug)).map((file) => `${target}/${slug}/${file}`));
    for (const line of told()) expect(rewritten, line).toContain(line.split(':')[0]);
  });
});

/** `node --import <the fallback's preload>` checking `workshopTarget`, in a process of its own, importing its 05 pool and printing what it found. */
function importWithFallback(workshopTarget: string): Promise<{ code: number | null; output: string }> {
  const script = [
    "import { createRequire } from 'node:module';",
    `const { WorkerPool } = await import(${JSON.stringify(pathToFileURL(join(ROOT, workshopTarget, '05-client-unblock/worker-pool.ts')).href)});`,
    "const pool = new WorkerPool({ workers: 2, queue: 'dishes', handle: () => {} });",
    "const loaded = Object.keys(createRequire(process.cwd() + '/').cache);",
    "console.log(JSON.stringify({ queue: pool.queue, esbuild: loaded.some((path) => path.includes('/esbuild/')) }));",
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: withTypeScriptFallback(''), WORKSHOP_TARGET: workshopTarget, WORKSHOP_TYPESCRIPT_NOTES: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('the fallback in a main thread Node runs', () => {
  it('loads a parameter property through tsx, and says so on stderr', async () => {
    const run = await importWithFallback(target);
    expect(run.output).toContain(`${target}/05-client-unblock/worker-pool.ts:52 uses a parameter property, which Node's type stripping cannot run`);
    expect(run.output).toContain('{"queue":"dishes","esbuild":true}');
    expect(run.code).toBe(0);
  });

  it('leaves a solution file to Node: no line, and tsx never loads', async () => {
    const run = await importWithFallback('solutions');
    expect(run.output.trim()).toBe('{"queue":"dishes","esbuild":false}');
    expect(run.code).toBe(0);
  });
});
