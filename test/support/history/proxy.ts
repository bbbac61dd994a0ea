/**
 * A small TCP proxy between the queue (its front and workers) and Redis, so that the history check
 * can cut every live connection at a moment of its choosing, as a network blip or a failover
 * would. Each accepted connection gets one to Redis; when either side ends, so does the other.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface Proxy {
  /** Such as `redis://127.0.0.1:40123`: give this to the queue instead of Redis' own address. */
  url: string;
  /** Drops every live connection, both ways, at once; returns how many there were. */
  cut(): number;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer({ pauseOnConnect: true }, (client) => {
    const upstream = connect(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) socket.on('error', end).on('close', end);
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cut = () => {
    const count = pairs.size;
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    return count;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        cut();
      }),
  };
}
