/**
 * Records the Redis commands of one check, as Redis itself saw them, through MONITOR.
 *
 * MONITOR shows every client of the server, so the tracer keeps only the clients that belong to
 * this check: those named with its key prefix (every `connect()` names its connection so) and
 * those that touched a key under the prefix. That keeps it right when many test files, or a
 * whole classroom, share one server.
 */
import { randomUUID } from 'node:crypto';
import { connect as connectSocket, type Socket } from 'node:net';
import { Redis } from 'ioredis';

export interface TraceEvent {
  /** Milliseconds since the trace started, by the server's clock. */
  at: number;
  /** The connection's name without the prefix, such as `dryer` or `dryer#2`. */
  client: string;
  addr: string;
  /** Upper case, such as `BLPOP`. */
  command: string;
  /** Arguments, with the check's key prefix taken off. */
  args: string[];
}

interface Raw {
  time: number;
  args: string[];
  addr: string;
}

const HANDSHAKE = new Set(['INFO', 'CLIENT SETNAME', 'SELECT', 'HELLO', 'AUTH']);

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '"': 34, '\\': 92 };

/** MONITOR prints bytes outside printable ASCII as \xNN; turn them back into the UTF-8 text they were. */
export function unescapeMonitor(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const next = text[i + 1] ?? '';
    if (text[i] === '\\' && next === 'x' && /^[0-9a-f]{2}$/i.test(text.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (text[i] === '\\' && next in ESCAPES) {
      bytes.push(ESCAPES[next]!);
      i += 1;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export class Tracer {
  readonly events: TraceEvent[] = [];
  private readonly names = new Map<string, string>();
  private readonly labels = new Map<string, string>();
  private readonly ours = new Set<string>();
  private readonly early = new Map<string, Raw[]>();
  private readonly markers = new Map<string, () => void>();
  /** The harness's own connection: its LLENs and CLIENT LISTs are not the learner's doing. */
  private observerAddr = '';
  private start = 0;
  /** The same moment by this process's clock. */
  private startLocal = 0;

  private monitor?: Socket;
  /** Set by stop(): a MONITOR socket that opens later is closed at once. */
  private stopped = false;

  private readonly helper: Redis;
  readonly prefix: string;

  private constructor(helper: Redis, prefix: string) {
    this.helper = helper;
    this.prefix = prefix;
  }

  /**
   * Connects the helper and the MONITOR socket. Fails within `timeoutMs` when the server does not
   * answer (a Redis that is shutting down can accept a connection and then close it unanswered),
   * and then leaves nothing open behind it.
   */
  static async start(url: string, prefix: string, timeoutMs = 3000): Promise<Tracer> {
    const helper = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    helper.on('error', () => {});
    const tracer = new Tracer(helper, prefix);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const begin = async () => {
      await helper.connect();
      const monitor = openMonitor(url, (raw) => tracer.see(raw));
      // Should the deadline win, the socket is still closed once it opens.
      monitor.then((socket) => tracer.stopped && socket.destroy(), () => {});
      tracer.monitor = await monitor;
      const id = String(await helper.client('ID'));
      const line = String(await helper.client('LIST')).split('\n').find((entry) => entry.startsWith(`id=${id} `));
      tracer.observerAddr = /\baddr=(\S+)/.exec(line ?? '')?.[1] ?? '';
      const [seconds = 0, micros = 0] = await helper.time();
      tracer.start = Number(seconds) * 1000 + Number(micros) / 1000;
      tracer.startLocal = Date.now();
    };
    try {
      await Promise.race([begin(), late]);
      return tracer;
    } catch (error) {
      await tracer.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private see(raw: Raw): void {
    const [head = '', sub = '', value = ''] = raw.args;
    if (head.toLowerCase() === 'echo' && this.markers.has(sub)) {
      this.markers.get(sub)?.();
      return;
    }
    if (raw.addr === this.observerAddr) return;
    if (head.toLowerCase() === 'client' && sub.toLowerCase() === 'setname') {
      this.names.set(raw.addr, value);
      if (value.startsWith(this.prefix)) this.adopt(raw.addr);
    }
    const mentionsOurKeys = raw.args.slice(1).some((arg) => arg.startsWith(this.prefix));
    // Commands a Lua script runs all come from the address `lua`, whoever ran the script: judge
    // each by its keys, and never take the address as ours.
    if (raw.addr === 'lua') return mentionsOurKeys ? this.record(raw) : undefined;
    if (this.ours.has(raw.addr)) return this.record(raw);
    if (mentionsOurKeys) {
      this.adopt(raw.addr);
      return this.record(raw);
    }
    // Keep a little of every unknown client, in case it turns out to be ours.
    const list = this.early.get(raw.addr) ?? [];
    list.push(raw);
    if (list.length > 8) list.shift();
    if (this.early.size < 2000) this.early.set(raw.addr, list);
  }

  private adopt(addr: string): void {
    if (this.ours.has(addr)) return;
    this.ours.add(addr);
    for (const raw of this.early.get(addr) ?? []) this.record(raw);
    this.early.delete(addr);
  }

  private record(raw: Raw): void {
    const [head = '', ...rest] = raw.args;
    let command = head.toUpperCase();
    if ((command === 'CLIENT' || command === 'CONFIG') && rest[0]) command += ` ${rest.shift()!.toUpperCase()}`;
    if (HANDSHAKE.has(command)) return;
    this.events.push({
      at: Math.max(0, raw.time - this.start),
      client: this.label(raw.addr),
      addr: raw.addr,
      command,
      args: rest.map((arg) => (arg.startsWith(this.prefix) ? arg.slice(this.prefix.length) : arg)),
    });
  }

  /** Milliseconds since the trace started: the `at` of a command sent now. */
  elapsed(): number {
    return Date.now() - this.startLocal;
  }

  /** Tells the tracer a client's name learnt elsewhere (CLIENT LIST may run ahead of MONITOR). */
  learnName(addr: string, name: string): void {
    if (name && !this.names.has(addr)) this.names.set(addr, name);
  }

  /** A readable, unique name for a client: its connection name without the prefix. */
  label(addr: string): string {
    const known = this.labels.get(addr);
    if (known) return known;
    const name = this.names.get(addr);
    if (!name) return `client:${addr.split(':').pop()}`;
    const base = (name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name) || 'client';
    const taken = new Set(this.labels.values());
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base}#${n}`;
    this.labels.set(addr, label);
    return label;
  }

  /** True when this address sent commands for this check. */
  owns(addr: string): boolean {
    return this.ours.has(addr) || (this.names.get(addr)?.startsWith(this.prefix) ?? false);
  }

  /** Resolves once every command Redis ran before this call has been recorded. */
  async settle(timeoutMs = 2000): Promise<void> {
    const marker = `trace-marker-${randomUUID()}`;
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('MONITOR did not echo the trace marker')), timeoutMs);
      this.markers.set(marker, resolve);
    });
    try {
      await this.helper.echo(marker);
      await seen;
    } finally {
      clearTimeout(timer);
      this.markers.delete(marker);
      seen.catch(() => {});
    }
  }

  /** The recorded commands, optionally only one client's or one command's. */
  commands(filter: { client?: string; command?: string } = {}): TraceEvent[] {
    return this.events.filter(
      (event) =>
        (!filter.client || event.client === filter.client || event.client.startsWith(`${filter.client}#`)) &&
        (!filter.command || event.command === filter.command.toUpperCase()),
    );
  }

  count(command: string, client?: string): number {
    return this.commands({ command, client }).length;
  }

  /**
   * The last `limit` lines of a short table of the commands, for a failed check's report.
   * A run of the same command from the same client (a polling loop) takes one line, with its count.
   */
  timeline(limit = 30): string {
    if (this.events.length === 0) return '  (no Redis commands were sent)';
    const runs: Array<{ first: TraceEvent; last: TraceEvent; count: number }> = [];
    for (const event of this.events) {
      const previous = runs.at(-1);
      if (previous && previous.last.client === event.client && previous.last.command === event.command && previous.last.args.join('\0') === event.args.join('\0')) {
        previous.last = event;
        previous.count++;
      } else {
        runs.push({ first: event, last: event, count: 1 });
      }
    }
    const shown = runs.slice(-limit);
    const width = Math.max(6, ...shown.map((run) => run.first.client.length));
    const lines = shown.map(({ first, last, count }) => {
      const at = `+${Math.round(first.at)}ms`.padStart(8);
      const args = first.args.map((arg) => (arg.length > 40 ? `${arg.slice(0, 37)}...` : arg)).join(' ');
      const repeat = count > 1 ? `   (x${count}, until +${Math.round(last.at)}ms)` : '';
      return `${at}  ${first.client.padEnd(width)}  ${first.command} ${args}`.trimEnd() + repeat;
    });
    const skipped = runs.length - shown.length;
    return (skipped > 0 ? [`  (${skipped} earlier lines not shown)`, ...lines] : lines).join('\n');
  }

  /** A connection for the harness's own queries; its commands are never recorded. */
  get observer(): Redis {
    return this.helper;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.monitor?.destroy();
    this.helper.disconnect();
  }
}

/**
 * MONITOR on a plain socket. (ioredis' own monitor() can take the first line that follows the OK
 * for a reply, when a busy server sends both in one packet.) Resolves once MONITOR is on.
 */
function openMonitor(url: string, onLine: (raw: Raw) => void): Promise<Socket> {
  const { hostname, port, username, password } = new URL(url);
  const socket = connectSocket({ host: hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(port) || 6379 });
  const command = (...args: string[]) => `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    let buffer = '';
    let pendingOk = password ? 2 : 1;
    socket.setEncoding('latin1');
    socket.once('error', reject);
    // A server on its way down can take the connection and close it without a word.
    socket.once('close', () => reject(new Error('Redis closed the connection before MONITOR was on')));
    socket.on('connect', () => {
      if (password) socket.write(command('AUTH', ...(username ? [decodeURIComponent(username)] : []), decodeURIComponent(password)));
      socket.write(command('MONITOR'));
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line.startsWith('-')) {
          reject(new Error(`MONITOR was refused: ${line.slice(1)}`));
          socket.destroy();
          return;
        }
        if (pendingOk > 0 && line === '+OK') {
          if (--pendingOk === 0) {
            socket.off('error', reject);
            socket.on('error', () => {});
            resolve(socket);
          }
          continue;
        }
        const raw = parseMonitorLine(line.slice(1));
        if (raw) onLine(raw);
      }
    });
  });
}

/** `1339518083.107412 [0 127.0.0.1:60866] "rpush" "dishes" "salad"` to its parts. */
export function parseMonitorLine(line: string): Raw | undefined {
  const match = /^(\d+\.\d+) \[\d+ ([^\]]+)\] (.*)$/.exec(line);
  if (!match) return undefined;
  const args: string[] = [];
  const quoted = /"((?:[^"\\]|\\.)*)"/g;
  for (const part of match[3]!.matchAll(quoted)) args.push(unescapeMonitor(part[1]!));
  return { time: Number(match[1]) * 1000, args, addr: match[2]! };
}
