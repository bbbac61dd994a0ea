/**
 * One cook or one eater of the 01 bench, in a worker thread. In `queue` mode the items go through
 * the lesson's BoundedQueue; in `post` mode (the baseline) through MessagePorts, one message each.
 * Every round starts when the main thread bumps GO, so thread start-up is never timed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { wallNow } from '../stats.ts';
import { COOKS_DONE, GO, PILL, type KitchenThreadJob, type KitchenThreadMessage } from './kitchen-protocol.ts';

interface Queue {
  put(item: number): boolean;
  take(): number | undefined;
}

const job = workerData as KitchenThreadJob;
const control = new Int32Array(job.control);
const tell = (message: KitchenThreadMessage) => parentPort!.postMessage(message);

function waitForRound(round: number): void {
  for (let go = Atomics.load(control, GO); go < round; go = Atomics.load(control, GO)) Atomics.wait(control, GO, go);
}

async function viaQueue(): Promise<void> {
  const { BoundedQueue } = (await import(job.module!)) as { BoundedQueue: { attach(buffer: SharedArrayBuffer): Queue } };
  const queue = BoundedQueue.attach(job.buffer!);
  tell({ type: 'ready' });
  for (let round = 1; round <= job.rounds; round++) {
    waitForRound(round);
    if (job.role === 'cook') {
      for (let seq = 0; seq < job.perCook; seq++) queue.put(job.id * 1_000_000 + seq);
      // The last cook of the round puts one pill per eater, behind every item.
      if (Atomics.add(control, COOKS_DONE, 1) + 1 === job.cooks * round) for (let e = 0; e < job.eaters; e++) queue.put(PILL);
    } else {
      let taken = 0;
      while (queue.take() !== PILL) taken++;
      tell({ type: 'done', round, end: wallNow(), taken });
    }
  }
}

function viaMessages(): void {
  const ports = job.ports!;
  if (job.role === 'cook') {
    tell({ type: 'ready' });
    for (let round = 1; round <= job.rounds; round++) {
      waitForRound(round);
      for (let seq = 0; seq < job.perCook; seq++) ports[seq % ports.length]!.postMessage(job.id * 1_000_000 + seq);
      for (const port of ports) port.postMessage(PILL);
    }
    for (const port of ports) port.close();
    return;
  }
  let round = 1;
  let pills = 0;
  let taken = 0;
  for (const port of ports) {
    port.on('message', (item: number) => {
      if (item !== PILL) return void taken++;
      // Done once every cook's pill for this round has come.
      if (++pills < job.cooks) return;
      tell({ type: 'done', round, end: wallNow(), taken });
      [pills, taken] = [0, 0];
      if (++round > job.rounds) for (const each of ports) each.close();
    });
  }
  tell({ type: 'ready' });
}

try {
  if (job.mode === 'queue') await viaQueue();
  else viaMessages();
} catch (error) {
  tell({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
