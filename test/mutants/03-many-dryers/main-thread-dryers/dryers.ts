import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '#workshop/redis';

export interface DryerReport {
  id: number;
  dried: string[];
  reason: 'quit' | 'timeout';
}

export interface DryersOptions {
  dryers: number;
  timeoutSec: number;
  workMs: number;
  queue?: string;
}

// The mistake: a connection per dryer, but every dryer runs in the main thread, not a worker thread.
export async function runDryers(options: DryersOptions): Promise<DryerReport[]> {
  const { dryers, timeoutSec, workMs, queue = 'dishes' } = options;
  return Promise.all(Array.from({ length: dryers }, (_, i) => dry(i + 1, queue, timeoutSec, workMs)));
}

async function dry(id: number, queue: string, timeoutSec: number, workMs: number): Promise<DryerReport> {
  const conn = connect(`dryer-${id}`);
  const dried: string[] = [];
  try {
    for (;;) {
      const popped = await conn.blpop(queue, timeoutSec);
      if (!popped) return { id, dried, reason: 'timeout' };
      if (popped[1] === 'quit') return { id, dried, reason: 'quit' };
      await sleep(workMs);
      dried.push(popped[1]);
    }
  } finally {
    await conn.quit();
  }
}
