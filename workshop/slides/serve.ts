/**
 * A static file server for the built decks: node:http on 127.0.0.1 only, GET and HEAD,
 * nothing outside its folder.
 *
 * @example
 * const server = await serveDirectory('slides/dist', { port: 0 });
 * console.log(server.url); // http://127.0.0.1:43817/
 * await server.close();
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

export interface ServeOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export async function serveDirectory(directory: string, options: ServeOptions = {}): Promise<RunningServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got \`${String(port)}\` (${typeof port})`);
  }
  const host = options.host ?? '127.0.0.1';
  const root = resolve(directory);
  const server = createServer((request, response) => {
    handle(root, request, response).catch(() => send(response, 500, 'Internal error'));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Keep-alive connections from a browser would hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function handle(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Only GET and HEAD');
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return send(response, 400, 'Bad path');
  }
  const file = resolve(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (file !== root && !file.startsWith(root + sep)) return send(response, 404, 'Not found');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return send(response, 404, `Not found: ${path}`);
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    // A rebuilt deck shows at the next reload.
    'cache-control': 'no-store',
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file).pipe(response);
}

function send(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}
