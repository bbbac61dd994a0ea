import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '#workshop/redis';
import type { FromWorker, ListenerData } from './status-listener.ts';
import { isCommand, Status, transition } from './status.ts';

const { channel, status } = workerData as ListenerData;
const cells = new Int32Array(status);
const conn = connect('status-listener');

/** Stores a status and wakes whoever waits on it (the parent's `ready`). */
function store(next: Status): void {
  Atomics.store(cells, 0, next);
  Atomics.notify(cells, 0);
}

conn.on('message', async (_channel: string, message: string) => {
  if (Atomics.load(cells, 0) === Status.INIT) store(Status.READY);
  if (!isCommand(message)) {
    parentPort!.postMessage({ type: 'message', message } satisfies FromWorker);
    return;
  }
  const now = Atomics.load(cells, 0) as Status;
  const next = transition(now, message);
  if (next === now) return;
  store(next);
  if (next === Status.END) {
    await conn.unsubscribe(channel);
    await conn.quit();
  }
});

await conn.subscribe(channel);
if (Atomics.load(cells, 0) === Status.INIT) store(Status.READY);
