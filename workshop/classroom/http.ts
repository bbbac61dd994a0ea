/**
 * Small HTTP helpers for the classroom server: replies, bodies read within a limit, and the two
 * kinds of credentials. Every refusal is a status with one sentence that says what to do.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refusal: the status and the sentence the client shows. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Results and joins are small: a report with every step failing every check is under 40 KB. */
export const BODY_LIMIT = 64 * 1024;

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  // An unread body would otherwise be read into nothing; closing the connection is cheaper.
  response.setHeader('connection', 'close');
  sendJson(response, error.status, { error: error.message });
}

/** The request's body as JSON, refused past BODY_LIMIT without reading the rest. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new HttpError(415, 'Send JSON, with content-type: application/json.');
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) throw new HttpError(413, `The body is over ${BODY_LIMIT / 1024} KiB.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new HttpError(413, `The body is over ${BODY_LIMIT / 1024} KiB.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'The body is not JSON.');
  }
}

/** The bearer credential of a request, else `?token=` of its address (an EventSource sends no headers). */
export function credential(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  return bearer || url.searchParams.get('token') || undefined;
}

export function sameSecret(given: string | undefined, kept: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(kept);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The host name the client used to reach us, without the port: learners reach their Redis there. */
export function requestHost(request: IncomingMessage, fallback: string): string {
  const host = request.headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host);
  const name = match?.[1];
  return name && /^[\w.\-[\]:]+$/.test(name) ? name : fallback;
}
