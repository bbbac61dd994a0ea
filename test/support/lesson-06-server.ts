/**
 * Runs a learner's HTTP front (server.ts) in a process of its own, so that a check can see
 * whether anything a client sends makes it crash. Started by the lesson-06 checks as
 *
 *   node test/support/lesson-06-server.ts <file URL of server.ts> <maxBodyBytes>
 *
 * with WORKSHOP_REDIS_URL and WORKSHOP_KEY_PREFIX set. Prints `listening <port>`.
 */
import type { Server } from 'node:http';
import { connect } from '../../workshop/redis.ts';

type ServerModule = { createServer: (conn: ReturnType<typeof connect>, options?: { maxBodyBytes?: number }) => Server };

const [file, limit] = process.argv.slice(2);
const { createServer } = (await import(file!)) as ServerModule;
const conn = connect('http');
const server = createServer(conn, { maxBodyBytes: Number(limit) });
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : '?'}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void conn.quit().finally(() => process.exit(0));
});
