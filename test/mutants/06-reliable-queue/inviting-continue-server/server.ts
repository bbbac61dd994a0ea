import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Redis } from '#workshop/redis';
import { randomUUID } from 'node:crypto';
import { enqueue, keys, readJob } from './jobs.ts';

export interface ServerOptions {
  /** The largest request body accepted; a larger one is answered 413 without being read. @default 65536 */
  maxBodyBytes?: number;
  /** How long an Idempotency-Key is remembered, in ms. @default 86400000 (24 h) */
  idempotencyTtlMs?: number;
}

const TOO_BIG = Symbol('too big');
/** The deepest JSON body accepted: deeper ones are answered 400 before JSON.parse sees them. */
export const MAX_JSON_DEPTH = 64;
/** The longest Idempotency-Key accepted. */
const MAX_KEY_LENGTH = 200;

/**
 * enqueue() that remembers its key: the first job posted with it is enqueued and its id stored
 * (SET NX PX), in one step, so two requests with the same key at the same moment make one job.
 * KEYS: idempotency key, waiting, status, enqueued. ARGV: new id, job JSON, ttl ms. Returns { id, 1 new | 0 repeat }.
 */
const ENQUEUE_ONCE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then
  return {redis.call('GET', KEYS[1]), 0}
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], 'waiting')
redis.call('INCR', KEYS[4])
return {ARGV[1], 1}
`;

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
  const { maxBodyBytes = 64 * 1024, idempotencyTtlMs = 24 * 60 * 60 * 1000 } = options;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new TypeError(`Expected \`maxBodyBytes\` to be an integer >= 1, got \`${maxBodyBytes}\``);
  if (!Number.isInteger(idempotencyTtlMs) || idempotencyTtlMs < 1) throw new TypeError(`Expected \`idempotencyTtlMs\` to be an integer >= 1, got \`${idempotencyTtlMs}\``);
  const settings = { maxBodyBytes, idempotencyTtlMs };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // Whatever goes wrong in one request ends as a 500 for that request, never as a crash.
    route(conn, settings, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
      console.error('http:', error);
    });
  };
  const server = createHttpServer(handle);
  // `Expect: 100-continue`: the client waits for our go before it sends the body. Refuse a body
  // announced too big now, instead of inviting the client to send it and then hanging up on it.
  // Wrong: no 'checkContinue' listener, so Node answers 100 Continue to every Expect, a 10 MB body too.
  return server;
}

function tooBig(res: ServerResponse, maxBodyBytes: number): void {
  // Connection: close, so Node does not read the rest of the body to reuse the connection.
  send(res, 413, { error: `the body is over ${maxBodyBytes} bytes` }, { connection: 'close' });
}

async function route(conn: Redis, settings: { maxBodyBytes: number; idempotencyTtlMs: number }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { maxBodyBytes } = settings;
  // A client that goes away mid-body must not become an unhandled 'error' event.
  req.on('error', () => {});
  const path = (req.url ?? '/').split('?')[0]!;
  const match = /^\/jobs\/([^/]+)$/.exec(path);
  if (path === '/jobs') {
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST /jobs' }, { allow: 'POST' });
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH)) {
      return send(res, 400, { error: `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters` });
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === TOO_BIG) return tooBig(res, maxBodyBytes);
    const text = body.toString('utf8');
    // Before JSON.parse: a body nested thousands deep fits in a few KiB, and a recursive walk of
    // what it gives (JSON.stringify in enqueue()) overflows the stack.
    if (depthOf(text) > MAX_JSON_DEPTH) return send(res, 400, { error: `the body is nested deeper than ${MAX_JSON_DEPTH} levels` });
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return send(res, 400, { error: 'the body is not JSON' });
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return send(res, 400, { error: 'the body must be a JSON object' });
    const id = key === undefined ? await enqueue(conn, data) : await enqueueOnce(conn, data, key, settings.idempotencyTtlMs);
    // A repeated key gets the first job's answer, the same in every way.
    return send(res, 202, { id }, { location: `/jobs/${id}` });
  }
  if (match) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'use GET /jobs/<id>' }, { allow: 'GET' });
    const job = await readJob(conn, match[1]!);
    return job ? send(res, 200, job) : send(res, 404, { error: 'no such job' });
  }
  send(res, 404, { error: 'no such route' });
}

/** enqueue() once per Idempotency-Key: the id of the job first posted with `key`, or of the new one. */
async function enqueueOnce(conn: Redis, data: unknown, key: string, ttlMs: number): Promise<string> {
  const id = randomUUID();
  const [first] = (await conn.eval(ENQUEUE_ONCE, 4, keys.idempotency(key), keys.waiting, keys.status, keys.enqueued, id, JSON.stringify({ id, data }), ttlMs)) as [string, number];
  return first;
}

/** How deep brackets nest in JSON text, not counting those inside strings; no recursion. */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: skip what it escapes
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The body, or TOO_BIG as soon as it is known to be over the limit (the rest is never read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_BIG> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(TOO_BIG);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop reading at once: a client may send gigabytes.
      req.off('data', onData).pause();
      resolve(TOO_BIG);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
