import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Redis } from '#workshop/redis';
// TODO: you will need randomUUID from 'node:crypto' for a job posted with an Idempotency-Key.
import { enqueue, keys, readJob } from './jobs.ts';

export interface ServerOptions {
  /** The largest request body accepted; a larger one is answered 413 without being read. @default 65536 */
  maxBodyBytes?: number;
  /** How long an Idempotency-Key is remembered, in ms. @default 86400000 (24 h) */
  idempotencyTtlMs?: number;
}

/** The deepest JSON body accepted: deeper ones are answered 400 before JSON.parse sees them. */
export const MAX_JSON_DEPTH = 64;

/**
 * The HTTP front of the queue, not yet listening:
 * - `POST /jobs` with a JSON object: enqueues it, answers 202 `{ id }`;
 * - `GET /jobs/<id>`: 200 with the job's status and result (readJob), 404 for an unknown id;
 * - bad JSON 400, a body over maxBodyBytes 413, an unknown route 404, a wrong method 405.
 *
 * @example
 * const server = createServer(connect('http'), { maxBodyBytes: 1024 });
 * server.listen(8080, '127.0.0.1');
 */
export function createServer(conn: Redis, options: ServerOptions = {}): Server {
  // TODO: check the options: a TypeError naming the option unless it is an integer >= 1.
  // TODO: return createHttpServer((req, res) => ...). The handler is async work (the body, Redis): call
  //       an async function and end it with .catch() that answers 500. An async handler that throws
  //       is an unhandled rejection, and that ends a Node process: one bad request would stop the server.
  // TODO: routes: POST /jobs (202 {id}), GET /jobs/<id> (200 readJob(...) or 404), other methods on
  //       those paths 405, anything else 404. Answer JSON, with Content-Type application/json.
  // TODO: the body: if Content-Length is over maxBodyBytes, answer 413 at once. Otherwise count the
  //       bytes as the chunks come; past maxBodyBytes, stop listening to 'data', pause the request and
  //       answer 413 with the header Connection: close (so Node does not read the rest to reuse the
  //       connection). Then JSON.parse in a try/catch: 400 for bad JSON or anything but an object.
  // TODO: `Expect: 100-continue`: the client sends the body only once you answer 100 Continue, which
  //       Node does for you unless you listen for 'checkContinue' (server.on('checkContinue', (req, res) => ...)).
  //       Listen: if Content-Length is over maxBodyBytes, answer 413 (Connection: close) without the 100;
  //       else res.writeContinue() and handle the request as any other.
  // TODO: before JSON.parse, count how deep the brackets nest (outside strings, in a loop, not
  //       recursion): over MAX_JSON_DEPTH, answer 400. 20,000 levels fit in 40 KB, and a recursive
  //       walk of what JSON.parse gives (JSON.stringify in enqueue()) overflows the stack: a 500.
  // TODO: `Idempotency-Key` (a header of 1 to 200 characters, else 400): the same key again answers the
  //       first job's 202 {id}, never a second job, also for two requests at the same moment. In ONE Lua
  //       script (KEYS: keys.idempotency(key), waiting, status, enqueued; ARGV: a new id, the job JSON,
  //       idempotencyTtlMs): SET the key to the id NX PX ttl; if it was set, enqueue as enqueue() does
  //       and return the new id, else return GET of the key. A GET, then a SET, lets both requests in.
  throw new Error('TODO: createServer() is not written yet (lessons/06-reliable-queue/server.ts)');
}

/** Given: answers `body` as JSON. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
