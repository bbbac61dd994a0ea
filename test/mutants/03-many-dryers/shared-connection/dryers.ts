import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Redis } from '#workshop/redis';

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

// The mistake: threads looked like overkill, so all dryers share one connection in the main thread.
export async function runDryers(options: DryersOptions): Promise<DryerReport[]> {
  const { dryers, timeoutSec, workMs, queue = 'dishes' } = options;
  const conn = connect('dryers');
  try {
    return await Promise.all(Array.from({ length: dryers }, (_, i) => dry(conn, i + 1, queue, timeoutSec, workMs)));
  } finally {
    await conn.quit();
  }
}

async function dry(conn: Redis, id: number, queue: string, timeoutSec: number, workMs: number): Promise<DryerReport> {
  const dried: string[] = [];
  for (;;) {
    const popped = await conn.blpop(queue, timeoutSec);
    if (!popped) return { id, dried, reason: 'timeout' };
    if (popped[1] === 'quit') return { id, dried, reason: 'quit' };
    await sleep(workMs);
    dried.push(popped[1]);
  }
}
