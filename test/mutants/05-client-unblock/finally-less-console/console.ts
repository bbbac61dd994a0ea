import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { connect } from '#workshop/redis';
import { WorkerPool, type JobHandler } from './worker-pool.ts';

export interface ConsoleOptions {
  /** How many workers take the jobs. @default 2 */
  workers?: number;
  /** The list the jobs go through. @default 'jobs' */
  queue?: string;
  /** Does one job. @default writes `worker N: job` to `output` */
  handle?: JobHandler;
  /** Where the default handle() writes, and the line said while stopping. @default process.stdout */
  output?: NodeJS.WritableStream;
  /** Passed on to the pool; stop() does not wait for it. @default 30 */
  blockTimeoutSec?: number;
}

/**
 * The job console: starts a pool, pushes each line read from `input` as a job, and stops the pool
 * at the first empty (or blank) line or at the end of the input. Lines after it are not read.
 * Resolves once the pool has stopped and every connection is closed.
 *
 * @example
 * // Type jobs, one per line; an empty line ends.
 * await runConsole(process.stdin);
 */
export async function runConsole(input: NodeJS.ReadableStream | Readable, options: ConsoleOptions = {}): Promise<void> {
  const { workers = 2, queue = 'jobs', output = process.stdout, blockTimeoutSec = 30 } = options;
  const handle: JobHandler = options.handle ?? ((job, n) => void output.write(`worker ${n}: ${job}\n`));
  const pool = new WorkerPool({ workers, queue, blockTimeoutSec, handle });
  // Workers wait first, so the very first job already finds one blocked in BLPOP.
  await pool.start();
  const producer = connect('console');
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') break;
    await producer.rpush(queue, line);
  }
  lines.close();
  output.write('waiting for the workers to stop\n');
  await pool.stop();
  await producer.quit();
}

// Run as a program (`node lessons/05-client-unblock/console.ts`), it reads your keyboard.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runConsole(process.stdin);
