/**
 * One worker thread started and timed, as a check's thread starts: from new Worker to 'online'
 * and to its first message, with the TypeScript fallback's preload unless `bare`. Shared by the
 * bench items that weigh what a thread's start costs (typescript-start, warm-start).
 */
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../workshop/target.ts';
import { within } from './item.ts';

/** The preload's URL, as NODE_OPTIONS names it when the checks' global setup has put it there. */
export const PRELOAD = new URL('../workshop/typescript/preload.ts', import.meta.url).href;

export interface ThreadStart {
  onlineMs: number;
  messageMs: number;
}

/** Starts a thread on `file` with `env` and times it until its first message; resolves once it has exited. */
export async function timeThreadStart(file: string, env: NodeJS.ProcessEnv, { bare = false } = {}): Promise<ThreadStart> {
  const started = performance.now();
  const worker = new Worker(pathToFileURL(file), {
    execArgv: bare ? process.execArgv : [...process.execArgv, '--import', PRELOAD],
    env,
    // What the thread prints (the fallback's line) is read and dropped.
    stderr: true,
  });
  worker.stderr.resume();
  let onlineMs = Number.NaN;
  worker.once('online', () => (onlineMs = performance.now() - started));
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const messageMs = await within(
    30_000,
    `a thread on ${relative(ROOT, file)} to post its first message`,
    new Promise<number>((resolve, reject) => worker.once('message', () => resolve(performance.now() - started)).once('error', reject)),
  );
  await exited;
  return { onlineMs, messageMs };
}

