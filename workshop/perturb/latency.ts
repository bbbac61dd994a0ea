/**
 * A seeded latency proxy: sits between the learner's connections and Redis and holds each chunk
 * a client sends for 0 to `maxDelayMs` before passing it on, in order, each connection on its own
 * seeded stream of delays. Replies pass straight back.
 *
 * Two connections' commands then reach Redis in orders a quiet machine never shows: a worker's
 * BLPOP, sent before a CLIENT UNBLOCK from another connection, may arrive after it. Code that
 * relied on "sent first, so it arrived first" fails; code that checks (UNBLOCK answered 0, so the
 * worker is not blocked yet: try again) passes. A check that needs one such order every run
 * holds a command on purpose (hold()); the seeded delays vary the rest.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { random, streamOf } from './schedule.ts';

export interface LatencyProxy {
  /** A redis:// address that goes through the proxy (with the password of `target`, if any). */
  url: string;
  /**
   * Holds the next chunk a client sends that matches `pattern` (and what that client sends after
   * it) until release(): a check can make a command arrive late on purpose, after another's.
   * `held` resolves once such a chunk is in the proxy's hands.
   */
  hold(pattern: RegExp): { held: Promise<void>; release: () => void };
  /** Ends the proxy and every connection through it. */
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, seed: number, maxDelayMs = 3): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const pumps = new Set<() => void>();
  let connections = 0;
  let armed: { pattern: RegExp; onHeld: () => void } | undefined;
  const holds = new Set<{ released: boolean }>();
  const server: Server = createServer((client) => {
    const draw = random(streamOf(seed, 'latency', ++connections));
    const redis = connect(Number(upstream.port || 6379), upstream.hostname);
    for (const socket of [client, redis]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.once('close', () => redis.destroy());
    redis.once('close', () => client.destroy());
    redis.pipe(client);
    // Chunks leave in the order they came, each no sooner than its own delay allows.
    const pending: Array<{ at: number; chunk: Buffer; held?: { released: boolean } }> = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      clearTimeout(timer);
      timer = undefined;
      while (pending.length > 0 && pending[0]!.at <= performance.now() && pending[0]!.held?.released !== false) {
        const { chunk } = pending.shift()!;
        if (!redis.destroyed) redis.write(chunk);
      }
      if (pending.length > 0 && pending[0]!.held?.released !== false) timer = setTimeout(pump, pending[0]!.at - performance.now());
    };
    pumps.add(pump);
    client.on('data', (chunk: Buffer) => {
      const entry: (typeof pending)[number] = { at: performance.now() + draw() * maxDelayMs, chunk };
      if (armed?.pattern.test(chunk.toString('latin1'))) {
        entry.held = { released: false };
        holds.add(entry.held);
        armed.onHeld();
        armed = undefined;
      }
      pending.push(entry);
      if (!timer) pump();
    });
    client.once('close', () => {
      clearTimeout(timer);
      pumps.delete(pump);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.href,
    hold(pattern) {
      let onHeld!: () => void;
      const held = new Promise<void>((resolve) => (onHeld = resolve));
      const before = new Set(holds);
      armed = { pattern, onHeld };
      return {
        held,
        release: () => {
          armed = undefined;
          for (const entry of holds) if (!before.has(entry)) entry.released = true;
          for (const pump of pumps) pump();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
