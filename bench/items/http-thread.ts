/**
 * One HTTP server of the 06 bench, in a worker thread of its own so that autocannon (in the main
 * thread) does not share its event loop. In `lesson` mode it is the lesson's createServer() from
 * server.ts, with a connection of its own (the bench's Redis and key prefix, from the environment);
 * in `bare` mode (the baseline) node:http answering every request 202 with a body of the same
 * shape, once the request's body has been read. It tells `listening` with its port, or `error`;
 * asked `cpu`, it tells the CPU time this thread has used so far (µs, undefined where Node cannot
 * say); on `stop` it closes the server and the connection, then the thread ends.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { connect, type Redis } from '../../workshop/redis.ts';

export interface HttpThreadJob {
  mode: 'lesson' | 'bare';
  /** File URL of the lesson's server.ts (lesson mode). */
  module?: string;
}

/** What the thread tells the main thread. */
export type HttpThreadMessage = { type: 'listening'; port: number } | { type: 'error'; message: string } | { type: 'cpu'; us?: number } | { type: 'closed' };
/** What the main thread asks. */
export type HttpThreadRequest = 'cpu' | 'stop';

type ServerModule = { createServer: (conn: Redis) => Server };

const job = workerData as HttpThreadJob;
const tell = (message: HttpThreadMessage) => parentPort!.postMessage(message);

function bare(): Server {
  return createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = randomUUID();
      res.writeHead(202, { 'content-type': 'application/json; charset=utf-8', location: `/jobs/${id}` });
      res.end(JSON.stringify({ id }));
    });
  });
}

let conn: Redis | undefined;
let server: Server | undefined;
try {
  if (job.mode === 'lesson') {
    const { createServer } = (await import(job.module!)) as ServerModule;
    conn = connect('bench-06-http');
    server = createServer(conn);
  } else {
    server = bare();
  }
  const listening = server;
  await new Promise<void>((resolve, reject) => listening.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = listening.address();
  tell({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
} catch (error) {
  tell({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

/** This thread's CPU time in µs; process.threadCpuUsage() is newer than some Node versions the workshop runs on. */
function threadCpuUs(): number | undefined {
  const usage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.();
  return usage ? usage.user + usage.system : undefined;
}

parentPort!.on('message', (request: HttpThreadRequest) => {
  if (request === 'cpu') return tell({ type: 'cpu', us: threadCpuUs() });
  parentPort!.removeAllListeners('message');
  const closed = server?.listening ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
  server?.closeAllConnections();
  void closed
    .then(() => conn?.quit())
    .catch(() => conn?.disconnect())
    .finally(() => {
      tell({ type: 'closed' });
      parentPort!.close();
    });
});
