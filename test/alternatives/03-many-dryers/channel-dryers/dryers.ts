/**
 * Alternative to the reference runDryers(): each dryer thread gets a MessagePort of its own (a
 * MessageChannel, the port moved to the thread in `transferList`) and tells the main thread about
 * each dish as soon as it is dried, then why it stopped; the main thread builds the report. The
 * reference posts one whole report over parentPort at the end.
 *
 * Still correct: messages on a port arrive in the order they were posted, so `dried` keeps the
 * dryer's order; it still settles on 'exit', when the thread and its connection are gone; and since
 * 'exit' is not ordered against a port other than parentPort, it takes whatever the thread posted
 * last and is still queued with receiveMessageOnPort before it reads the report.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** What one dryer did: the dishes it dried, in order, and why it stopped. */
export interface DryerReport {
  /** 1 for the first dryer, 2 for the second, and so on. */
  id: number;
  dried: string[];
  /** `quit`: it took a quit from the list; `timeout`: no dish came for `timeoutSec`. */
  reason: 'quit' | 'timeout';
}

export interface DryersOptions {
  /** How many dryers run at once, each in a worker thread of its own. */
  dryers: number;
  /** How long a dryer waits for a dish before it stops, in seconds (0.5 is half a second). */
  timeoutSec: number;
  /** How long drying one dish takes, in milliseconds. */
  workMs: number;
  /** The list the dishes are in. @default 'dishes' */
  queue?: string;
}

/** What the main thread hands each dryer thread as `workerData`. */
export interface DryerJob {
  id: number;
  queue: string;
  timeoutSec: number;
  workMs: number;
  /** Where the dryer tells what it does; the main thread holds the other end. */
  news: MessagePort;
}

/** What a dryer posts on its port: one message per dish dried, then one with its reason. */
export type DryerNews = { dried: string } | { reason: DryerReport['reason'] };

/**
 * Runs `dryers` dryers at once, each in its own worker thread with its own Redis connection,
 * all taking dishes from the same list. Each stops on `quit` or when no dish came for `timeoutSec`.
 *
 * @returns one report per dryer, by id, once every thread has exited.
 * @example
 * const reports = await runDryers({ dryers: 3, timeoutSec: 20, workMs: 100 });
 * for (const { id, dried, reason } of reports) console.log(`dryer ${id} dried ${dried.length}, stopped by ${reason}`);
 */
export async function runDryers(options: DryersOptions): Promise<DryerReport[]> {
  const { dryers, timeoutSec, workMs, queue = 'dishes' } = options;
  if (!Number.isInteger(dryers) || dryers < 1) throw new TypeError(`Expected \`dryers\` to be a whole number >= 1, got \`${dryers}\``);
  if (!(timeoutSec > 0) || !Number.isFinite(timeoutSec)) {
    throw new TypeError(`Expected \`timeoutSec\` to be a number of seconds > 0 (0 would wait for ever), got \`${timeoutSec}\``);
  }
  if (!(workMs >= 0) || !Number.isFinite(workMs)) throw new TypeError(`Expected \`workMs\` to be a number >= 0, got \`${workMs}\``);
  if (typeof queue !== 'string' || queue === '') throw new TypeError(`Expected \`queue\` to be a list name, got \`${String(queue)}\``);

  const runs: Promise<DryerReport>[] = [];
  for (let id = 1; id <= dryers; id++) runs.push(runDryer(id, queue, timeoutSec, workMs));
  // Every thread has ended before this returns or throws, even when one dryer failed.
  const reports: DryerReport[] = [];
  let failure: { error: unknown } | undefined;
  for (const run of runs) {
    try {
      reports.push(await run);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return reports;
}

async function runDryer(id: number, queue: string, timeoutSec: number, workMs: number): Promise<DryerReport> {
  const { port1: mine, port2: theirs } = new MessageChannel();
  const dried: string[] = [];
  let reason: DryerReport['reason'] | undefined;
  const hear = (news: DryerNews) => {
    if ('dried' in news) dried.push(news.dried);
    else reason = news.reason;
  };
  mine.on('message', hear);
  const job: DryerJob = { id, queue, timeoutSec, workMs, news: theirs };
  // A thread of its own, so that its BLPOP blocks its own connection; the port moves with it.
  const worker = new Worker(new URL('./dryer-worker.ts', import.meta.url), { workerData: job, transferList: [theirs] });
  let error: unknown;
  worker.once('error', (cause) => (error = cause));
  const code = await new Promise<number>((resolve) => worker.once('exit', resolve));
  // The thread is gone, but what it posted last may still wait in our port's queue.
  for (let left = receiveMessageOnPort(mine); left; left = receiveMessageOnPort(mine)) hear(left.message as DryerNews);
  // An open port with a listener would keep this process alive.
  mine.close();
  if (error !== undefined) throw error;
  if (!reason) throw new Error(`Dryer ${id} ended (exit code ${code}) without saying why it stopped`);
  return { id, dried, reason };
}
