/**
 * The washer of the 02 bench, in a worker thread: the lesson's washer and dryer are separate
 * programs, so the bench keeps them apart too. Each `go` from the main thread washes one round.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { connect } from '../../workshop/redis.ts';

export interface WasherJob {
  /** The file URL of the washer.ts under test. */
  module: string;
  count: number;
  queue: string;
}

/** From the main thread: wash a round, or end. */
export type ToWasher = 'go' | 'end';
/** To the main thread. */
export type FromWasher = { type: 'ready' } | { type: 'washed' } | { type: 'error'; message: string };

type Wash = (conn: Redis, dishes: Iterable<string>, queue?: string) => Promise<void>;

const job = workerData as WasherJob;
const tell = (message: FromWasher) => parentPort!.postMessage(message);
const conn = connect('bench-washer');
const dishes = Array.from({ length: job.count }, (_, i) => `dish-${i}`);

try {
  const { wash } = (await import(job.module)) as { wash: Wash };
  parentPort!.on('message', (message: ToWasher) => {
    if (message === 'end') return void conn.quit().finally(() => parentPort!.close());
    wash(conn, dishes, job.queue).then(
      () => tell({ type: 'washed' }),
      (error: unknown) => tell({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  await conn.ping();
  tell({ type: 'ready' });
} catch (error) {
  tell({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  conn.disconnect();
}
