/**
 * For the grading tests: a learner's copy of the workshop in a temporary folder (what `classroom
 * handout` writes, with node_modules linked instead of installed), optionally with some steps
 * solved as a learner would solve them (the reference files copied in), and commands run in it
 * through a shell with a bare environment, as CI, Classroom 50 and Gradescope run them.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findStep } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';
import { handoutFiles } from '../../workshop/grading/handout-files.ts';

export interface Run {
  code: number | null;
  output: string;
  ms: number;
}

export function tempDir(name: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `workshop-${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes a learner's copy into `dir`, with the steps in `solved` solved. */
export function learnerCopy(dir: string, solved: readonly string[] = []): string {
  for (const file of handoutFiles()) {
    const to = join(dir, file.path);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, file.data, { mode: file.mode });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
  for (const id of solved) {
    const { lesson, step } = findStep(id)!;
    for (const file of step.files) copyFileSync(join(ROOT, 'solutions', lesson.slug, file), join(dir, 'lessons', lesson.slug, file));
  }
  return dir;
}

/** A command through bash, with only PATH and HOME from this process, plus `env`. */
export function sh(command: string, cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn('/bin/bash', ['-e', '-c', command], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, ms: Date.now() - started })));
}
