/**
 * A server for the classroom's load row, in a process of its own (forked with --expose-gc): the
 * classroom (`classroom`) or a bare node:http server answering 202 (`bare`). It tells its parent
 * where it listens, and answers `heap` with its heap after a full garbage collection: resident
 * memory also counts what the allocator keeps for later, which is not a leak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClassroom } from '../../workshop/classroom/server.ts';

const send = (message: unknown) => process.send!(message);

async function open(kind: string): Promise<{ url: string; code: string; token: string; close(): Promise<void> }> {
  if (kind === 'classroom') {
    const dataDir = mkdtempSync(join(tmpdir(), 'workshop-classroom-load-'));
    const classroom = await startClassroom({ port: 0, host: '127.0.0.1', dataDir });
    return {
      url: classroom.url,
      code: classroom.code,
      token: classroom.token,
      close: async () => {
        await classroom.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(request.url === '/api/join' ? 201 : 202, { 'content-type': 'application/json' });
      response.end('{"learnerId":"x","secret":"y"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, code: 'CODE', token: 't', close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const server = await open(process.argv[2] ?? 'bare');
process.on('message', async (message: string) => {
  if (message === 'heap') {
    (globalThis as { gc?: () => void }).gc?.();
    send({ heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
  } else if (message === 'stop') {
    await server.close();
    process.disconnect();
  }
});
send({ url: server.url, code: server.code, token: server.token });
