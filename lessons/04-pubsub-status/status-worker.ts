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

function tell(message: FromWorker): void {
  parentPort!.postMessage(message);
}

// TODO: open a connection of your own: connect('status-listener').
// TODO: on its 'message' event (channel, message):
//       - a status word (isCommand): the new status is transition(current, message), where current is
//         Atomics.load(status, 0); store a change with Atomics.store. No message to the parent for it.
//       - anything else: tell({ type: 'message', message }).
//       - when the status became Status.END: unsubscribe(channel), then quit(). Nothing else keeps the
//         thread alive then, so it ends by itself.
// TODO: await subscribe(channel): in ioredis, that is the confirmation. Then store READY
//       (transition(Status.INIT, 'ready')) and tell({ type: 'ready' }).
throw new Error('TODO: status-worker.ts is not written yet (lessons/04-pubsub-status/status-worker.ts)');
