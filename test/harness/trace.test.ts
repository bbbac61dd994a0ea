import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Tracer, unescapeMonitor } from '../support/trace.ts';

const url = inject('redisUrl');
const opened: Array<{ disconnect(): void } | Tracer> = [];
afterEach(async () => {
  for (const item of opened.splice(0)) {
    if (item instanceof Tracer) await item.stop();
    else item.disconnect();
  }
});

function client(prefix: string, name: string): Redis {
  const conn = new Redis(url, { keyPrefix: prefix, connectionName: `${prefix}${name}` });
  opened.push(conn);
  return conn;
}

async function tracer(prefix: string): Promise<Tracer> {
  const trace = await Tracer.start(url, prefix);
  opened.push(trace);
  return trace;
}

describe('Tracer', () => {
  it('records the commands of its own clients, in order, with the prefix taken off', async () => {
    const trace = await tracer('tr:a:');
    const washer = client('tr:a:', 'washer');
    await washer.rpush('dishes', 'salad');
    await washer.lpop('dishes');
    await trace.settle();
    expect(trace.commands().map((event) => `${event.client} ${event.command} ${event.args.join(' ')}`)).toEqual([
      'washer RPUSH dishes salad',
      'washer LPOP dishes',
    ]);
    expect(trace.count('LPOP', 'washer')).toBe(1);
  });

  it('keeps two checks apart when they share one server', async () => {
    const [first, second] = await Promise.all([tracer('tr:b:'), tracer('tr:c:')]);
    await Promise.all([client('tr:b:', 'dryer').rpush('dishes', 'one'), client('tr:c:', 'dryer').rpush('dishes', 'two')]);
    await Promise.all([first.settle(), second.settle()]);
    expect(first.commands().map((event) => event.args.join(' '))).toEqual(['dishes one']);
    expect(second.commands().map((event) => event.args.join(' '))).toEqual(['dishes two']);
  });

  it('gives clients with the same name distinct labels', async () => {
    const trace = await tracer('tr:d:');
    await client('tr:d:', 'dryer').llen('x');
    await client('tr:d:', 'dryer').llen('x');
    await trace.settle();
    expect(new Set(trace.commands().map((event) => event.client))).toEqual(new Set(['dryer', 'dryer#2']));
    expect(trace.count('LLEN', 'dryer')).toBe(2);
  });

  it('folds a polling loop into one line of the timeline', async () => {
    const trace = await tracer('tr:e:');
    const poller = client('tr:e:', 'poller');
    for (let i = 0; i < 25; i++) await poller.lpop('dishes');
    await poller.rpush('dishes', 'soup');
    await trace.settle();
    const lines = trace.timeline().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/poller\s+LPOP dishes\s+\(x25, until \+\d+ms\)$/);
    expect(lines[1]).toMatch(/poller\s+RPUSH dishes soup$/);
  });

  it('decodes names in Japanese, Chinese and emoji that MONITOR escapes', () => {
    expect(unescapeMonitor('\\xe5\\x91\\xb3\\xe5\\x99\\x8c\\xe6\\xb1\\x81')).toBe('味噌汁');
    expect(unescapeMonitor('\\xf0\\x9f\\x8d\\xb0 and \\"quotes\\"')).toBe('🍰 and "quotes"');
    expect(unescapeMonitor('plain')).toBe('plain');
  });

  describe('a server on its way down', () => {
    /** A stand-in for Redis: connection `n` (from 1) goes to `answer(n, socket)`; counts what is open. */
    async function server(answer: (n: number, socket: Socket) => void): Promise<{ url: string; open(): Promise<number>; server: Server }> {
      let n = 0;
      const stand = createServer((socket) => answer(++n, socket));
      stand.listen(0, '127.0.0.1');
      await once(stand, 'listening');
      const { port } = stand.address() as { port: number };
      opened.push({ disconnect: () => stand.close() });
      return { url: `redis://127.0.0.1:${port}`, server: stand, open: () => new Promise((resolve) => stand.getConnections((_, count) => resolve(count))) };
    }

    async function closedBy(ms: number, open: () => Promise<number>): Promise<number> {
      const until = Date.now() + ms;
      while ((await open()) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      return open();
    }

    it('fails at once, and leaves nothing open, when Redis takes the MONITOR connection and closes it unanswered', async () => {
      const redis = new URL(url);
      const stand = await server((n, socket) => {
        if (n > 1) return void socket.once('data', () => socket.end());
        const upstream = connect(Number(redis.port), redis.hostname);
        socket.pipe(upstream).pipe(socket);
        socket.on('close', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
      });
      const started = Date.now();
      await expect(Tracer.start(stand.url, 'tr:f:')).rejects.toThrow('Redis closed the connection before MONITOR was on');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await closedBy(2000, stand.open)).toBe(0);
    });

    it('gives up at its deadline, and leaves nothing open, when Redis never answers', async () => {
      // It reads what it is sent (so it sees the client hang up) and answers nothing.
      const stand = await server((_, socket) => socket.resume());
      await expect(Tracer.start(stand.url, 'tr:g:', 300)).rejects.toThrow('no answer within 0.3 s');
      expect(await closedBy(2000, stand.open)).toBe(0);
    });
  });
});
