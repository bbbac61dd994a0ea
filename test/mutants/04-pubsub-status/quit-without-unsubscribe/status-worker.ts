/**
 * The listener's thread: subscribes on a connection of its own, turns status words into a new
 * status in shared memory, passes every other message to the parent, and ends on `end`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '#workshop/redis';
import type { FromWorker, ListenerData } from './status-listener.ts';
import { isCommand, Status, transition } from './status.ts';

const { channel, status: buffer } = workerData as ListenerData;
const status = new Int32Array(buffer);
const conn = connect('status-listener');

function tell(message: FromWorker): void {
  parentPort!.postMessage(message);
}

/** Marks the subscription as confirmed, once, whichever comes first: the reply or a message. */
function confirmed(): void {
  if (Atomics.load(status, 0) !== Status.INIT) return;
  Atomics.store(status, 0, transition(Status.INIT, 'ready'));
  tell({ type: 'ready' });
}

async function finish(): Promise<void> {
  // Leave the channel on purpose, then close: nothing else keeps this thread alive, so it ends.
  await conn.quit();
}

conn.on('message', (_channel: string, message: string) => {
  // A message can arrive in the same packet as the confirmation, before `await subscribe` resumes.
  confirmed();
  if (!isCommand(message)) return tell({ type: 'message', message });
  const before = Atomics.load(status, 0) as Status;
  const after = transition(before, message);
  if (after === before) return;
  // Shared memory: the parent sees the new status at once, even while its own thread is busy.
  Atomics.store(status, 0, after);
  if (after === Status.END) void finish();
});

// In ioredis the confirmation is the resolved subscribe(), not a first message as in redis-py.
await conn.subscribe(channel);
confirmed();
