/**
 * What the bench's command rows share: a learner's environment, a node child process timed from
 * spawn to exit or read as it prints, a save that changes nothing, and scratch folders inside the
 * project (WORKSHOP_TARGET must name a folder there) that a run may write to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from '../workshop/target.ts';
import type { BenchContext } from './item.ts';

export const VITEST = 'node_modules/vitest/vitest.mjs';
export const TRIVIAL = join(ROOT, 'bench', 'fixtures', 'trivial');

/** A learner's environment for `target`: the bench's own server, key prefix and vitest stay out of it. */
export function learnerEnv(ctx: BenchContext, target = ctx.targetName): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|WORKSHOP_REDIS_URL$|WORKSHOP_KEY_PREFIX$|NODE_ENV$)/.test(name)));
  // The bench's runs are not the learner's progress.
  return { ...env, WORKSHOP_TARGET: target, WORKSHOP_PROGRESS: join(tmpdir(), `workshop-bench-progress-${process.pid}.json`), FORCE_COLOR: '0', NO_COLOR: '1' };
}

/** Milliseconds from spawn to exit; rejects when the command could not start, or when `mustPass` and it failed. */
export function wallTime(args: string[], env: NodeJS.ProcessEnv, mustPass: boolean): Promise<number> {
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

export interface Running {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Resolves at the first match in the output from `from` on; rejects after `ms` or when the process ends first. */
  waitFor(pattern: RegExp, from: number, ms: number): Promise<RegExpExecArray>;
  /** SIGINT (as Ctrl-C), then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * `node <args>` in the project, its output kept and watched. With `tty`, in a pseudo-terminal
 * (util-linux `script`), so that it draws what it draws for a person at a terminal.
 */
export function launch(args: string[], env: NodeJS.ProcessEnv, { tty = false } = {}): Running {
  const command = [process.execPath, ...args];
  // script runs one shell command line: each part quoted for the shell.
  const [file, ...rest] = tty ? ['script', '-qfec', command.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' '), '/dev/null'] : command;
  const child = spawn(file!, rest, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, from, ms) {
      return new Promise((resolve, reject) => {
        const done = () => (listeners.delete(check), clearTimeout(timer));
        const fail = (why: string) => (done(), reject(new Error(`node ${args.join(' ')} ${why} without printing ${pattern}; it printed: ${output.slice(-600)}`)));
        const check = () => {
          const match = pattern.exec(output.slice(from));
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => fail(`ran ${ms / 1000} s`), ms);
        listeners.add(check);
        check();
        void exited.then(() => listeners.has(check) && fail('ended'));
      });
    },
    async stop() {
      if (ended()) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Writes `file` again with the bytes it holds: a save, as an editor makes it, that changes nothing. */
export function saveUnchanged(file: string): void {
  writeFileSync(file, readFileSync(file));
}

/** A new folder under .workshop/bench/, with copies of `copies` (source folder to name inside it). */
export function scratchFolder(prefix: string, copies: Record<string, string> = {}): { dir: string; target: string; remove(): void } {
  const base = join(ROOT, '.workshop', 'bench');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${prefix}-`));
  for (const [source, name] of Object.entries(copies)) cpSync(source, join(dir, name), { recursive: true });
  return { dir, target: relative(ROOT, dir), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
