import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Redis } from '#workshop/redis';
import { enqueue, readJob } from './jobs.ts';

export interface ServerOptions {
  /** The largest request body accepted; a larger one is answered 413 without being read. @default 65536 */
  maxBodyBytes?: number;
}

const TOO_BIG = Symbol('too big');

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
  const { maxBodyBytes = 64 * 1024 } = options;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new TypeError(`Expected \`maxBodyBytes\` to be an integer >= 1, got \`${maxBodyBytes}\``);
  return createHttpServer((req, res) => {
    // Whatever goes wrong in one request ends as a 500 for that request, never as a crash.
    route(conn, maxBodyBytes, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
      console.error('http:', error);
    });
  });
}

async function route(conn: Redis, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A client that goes away mid-body must not become an unhandled 'error' event.
  req.on('error', () => {});
  const path = (req.url ?? '/').split('?')[0]!;
  const match = /^\/jobs\/([^/]+)$/.exec(path);
  if (path === '/jobs') {
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST /jobs' }, { allow: 'POST' });
    const body = await readBody(req, maxBodyBytes);
    if (body === TOO_BIG) {
      // Connection: close, so Node does not read the rest of the body to reuse the connection.
      return send(res, 413, { error: `the body is over ${maxBodyBytes} bytes` }, { connection: 'close' });
    }
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'the body is not JSON' });
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return send(res, 400, { error: 'the body must be a JSON object' });
    const id = await enqueue(conn, data);
    return send(res, 202, { id }, { location: `/jobs/${id}` });
  }
  if (match) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'use GET /jobs/<id>' }, { allow: 'GET' });
    const job = await readJob(conn, match[1]!);
    return job ? send(res, 200, job) : send(res, 404, { error: 'no such job' });
  }
  send(res, 404, { error: 'no such route' });
}

/** The body, or TOO_BIG as soon as it is known to be over the limit (the rest is never read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_BIG> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(size > limit ? TOO_BIG : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
