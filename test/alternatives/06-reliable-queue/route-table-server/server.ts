/**
 * Alternative to the reference HTTP front, written another way:
 * - routing is a table of path patterns, each with a handler per method: a path in the table with
 *   a method it lacks is 405 (with the Allow header read from the table), a path not in it is 404;
 * - the body is pulled in paused mode ('readable' and read()) into one buffer of maxBodyBytes, and
 *   the JSON depth is counted on the bytes as they arrive, carried from chunk to chunk;
 * - bytes that are not UTF-8 are refused by a fatal TextDecoder, before JSON.parse;
 * - an `Expect: 100-continue` that fits is said yes to and then emitted as an ordinary 'request';
 * - the idempotent enqueue is an ioredis custom command (defineCommand: EVALSHA, then EVAL).
 *
 * Still correct: a body announced too big is refused from Content-Length, and one that grows too big
 * is refused at the first chunk that does not fit, with reading stopped and Connection: close, as
 * the lesson asks; counting depth on bytes gives the same answer as on text, because UTF-8 never
 * uses the bytes of " \ [ ] { } inside a multi-byte character; the custom command is still one Lua
 * script that SETs the key NX PX and enqueues, so two requests with one key make one job.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Redis } from '#workshop/redis';
import { enqueue, keys, readJob } from './jobs.ts';

export interface ServerOptions {
  /** The largest request body accepted; a larger one is answered 413 without being read. @default 65536 */
  maxBodyBytes?: number;
  /** How long an Idempotency-Key is remembered, in ms. @default 86400000 (24 h) */
  idempotencyTtlMs?: number;
}

/** The deepest JSON body accepted: deeper ones are answered 400 before JSON.parse sees them. */
export const MAX_JSON_DEPTH = 64;
const MAX_KEY_LENGTH = 200;

/**
 * KEYS: idempotency key, waiting, status, enqueued. ARGV: new id, job JSON, ttl ms.
 * Returns the id of the job first posted with the key: the new one if this call set the key.
 */
const ENQUEUE_ONCE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('HSET', KEYS[3], ARGV[1], 'waiting')
  redis.call('INCR', KEYS[4])
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
`;

type Queue = Redis & { enqueueOnce(key: string, waiting: string, status: string, enqueued: string, id: string, job: string, ttlMs: number): Promise<string> };

interface Context {
  conn: Queue;
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  maxBodyBytes: number;
  idempotencyTtlMs: number;
}

type Handler = (context: Context) => Promise<void>;

const ROUTES: Array<{ path: RegExp; methods: Record<string, Handler> }> = [
  { path: /^\/jobs$/, methods: { POST: postJob } },
  { path: /^\/jobs\/([^/]+)$/, methods: { GET: getJob, HEAD: getJob } },
];

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
  const { maxBodyBytes = 65_536, idempotencyTtlMs = 86_400_000 } = options;
  for (const [name, value] of Object.entries({ maxBodyBytes, idempotencyTtlMs })) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`Expected \`${name}\` to be an integer >= 1, got \`${value}\``);
  }
  conn.defineCommand('enqueueOnce', { numberOfKeys: 4, lua: ENQUEUE_ONCE });
  const queue = conn as Queue;
  const server = createHttpServer((req, res) => {
    // An async handler that throws would be an unhandled rejection, and end the process.
    dispatch({ conn: queue, req, res, params: [], maxBodyBytes, idempotencyTtlMs }).catch((error: unknown) => {
      console.error('http:', error);
      if (res.headersSent) res.destroy();
      else send(res, 500, { error: 'internal error' });
    });
  });
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    // Refused before the client sends a byte of it: no 100 Continue for a body we would not read.
    if (Number(req.headers['content-length']) > maxBodyBytes) return tooBig(res, maxBodyBytes);
    res.writeContinue();
    server.emit('request', req, res);
  });
  return server;
}

async function dispatch(context: Context): Promise<void> {
  const { req, res } = context;
  // A client that hangs up mid-body must not become an unhandled 'error'.
  req.on('error', () => {});
  const path = pathOf(req.url);
  const route = path === undefined ? undefined : ROUTES.find((candidate) => candidate.path.test(path));
  if (path === undefined || !route) return send(res, 404, { error: 'no such route' });
  const handler = route.methods[req.method ?? ''];
  if (!handler) return send(res, 405, { error: `use ${Object.keys(route.methods).join(' or ')}` }, { allow: Object.keys(route.methods).join(', ') });
  await handler({ ...context, params: route.path.exec(path)!.slice(1) });
}

/** The path of a request target such as `/jobs/abc?x=1`, or undefined when it is no path. */
function pathOf(url: string | undefined): string | undefined {
  if (!url?.startsWith('/')) return undefined;
  try {
    // Glued to a fixed origin, so that `//host/jobs` stays a path and is not read as a host.
    return new URL(`http://queue${url}`).pathname;
  } catch {
    return undefined;
  }
}

async function postJob({ conn, req, res, maxBodyBytes, idempotencyTtlMs }: Context): Promise<void> {
  const key = req.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > MAX_KEY_LENGTH)) {
    return send(res, 400, { error: `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters` });
  }
  const body = await readBody(req, maxBodyBytes);
  if (body === 'too big') return tooBig(res, maxBodyBytes);
  if (body.depth > MAX_JSON_DEPTH) return send(res, 400, { error: `the body is nested deeper than ${MAX_JSON_DEPTH} levels` });
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.bytes));
  } catch {
    return send(res, 400, { error: 'the body is not JSON in UTF-8' });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return send(res, 400, { error: 'the body must be a JSON object' });
  let id: string;
  if (key === undefined) id = await enqueue(conn, data);
  else {
    const fresh = randomUUID();
    id = await conn.enqueueOnce(keys.idempotency(key), keys.waiting, keys.status, keys.enqueued, fresh, JSON.stringify({ id: fresh, data }), idempotencyTtlMs);
  }
  send(res, 202, { id }, { location: `/jobs/${id}` });
}

async function getJob({ conn, res, params }: Context): Promise<void> {
  const job = await readJob(conn, params[0]!);
  if (job) send(res, 200, job);
  else send(res, 404, { error: 'no such job' });
}

/** Counts how deep [ and { nest outside strings, fed the body's bytes a chunk at a time. */
class DepthCounter {
  deepest = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  feed(bytes: Buffer): void {
    for (const byte of bytes) {
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === 0x5c) this.escaped = true;
        else if (byte === 0x22) this.inString = false;
      } else if (byte === 0x22) this.inString = true;
      else if (byte === 0x5b || byte === 0x7b) this.deepest = Math.max(this.deepest, ++this.depth);
      else if (byte === 0x5d || byte === 0x7d) this.depth--;
    }
  }
}

/** Pulls the body into one buffer of `limit` bytes; 'too big' at the first chunk that does not fit. */
function readBody(req: IncomingMessage, limit: number): Promise<{ bytes: Buffer; depth: number } | 'too big'> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve('too big');
  return new Promise((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(limit);
    const depth = new DepthCounter();
    let size = 0;
    const pull = () => {
      for (let chunk: Buffer | null = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
        if (size + chunk.length > limit) {
          // Read no more of it: a client may send gigabytes. The stream stays paused.
          req.off('readable', pull);
          return resolve('too big');
        }
        chunk.copy(buffer, size);
        size += chunk.length;
        depth.feed(chunk);
      }
    };
    req.on('readable', pull);
    req.once('end', () => resolve({ bytes: buffer.subarray(0, size), depth: depth.deepest }));
    req.once('error', reject);
  });
}

function tooBig(res: ServerResponse, maxBodyBytes: number): void {
  // Connection: close, or Node reads the rest of the body to reuse the connection.
  send(res, 413, { error: `the body is over ${maxBodyBytes} bytes` }, { connection: 'close' });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
