/**
 * What a Redis started by the workshop is asked to be, and the settings that make it so. The same
 * settings go to a local `redis-server` (as `--name value` arguments) and to a container (in its
 * configuration file), so both ways start the same server.
 */

export interface RedisOptions {
  /** The address to listen on. @default '127.0.0.1' */
  bind?: string;
  /**
   * The port to listen on; when it is taken, a free one is used instead, unless `requirePort`.
   * @default a free port
   */
  port?: number;
  /** Fail rather than move to a free port when `port` is taken. @default false */
  requirePort?: boolean;
  /**
   * `requirepass`: clients must AUTH with it. It never appears on a command line: it goes in a
   * configuration file only this user can read (mode 0600).
   */
  password?: string;
  /**
   * Keep every write in the append-only file, fsynced before the reply (`appendonly yes`,
   * `appendfsync always`), and nothing else: no RDB save points (`save ""`), so that no failed
   * save can make the server refuse to stop.
   * @default false: `appendonly no`, `save ""`, nothing on disk
   */
  persist?: boolean;
  /** The server's folder, kept by stop(). @default a temporary folder, removed by stop() */
  dataDir?: string;
  /** `maxmemory`, with `maxmemory-policy noeviction`: writes fail once it is full. @example '128mb' */
  maxMemory?: string;
  /**
   * A learner's server on the instructor's machine: CONFIG SET of protected settings (dir,
   * dbfilename), DEBUG and MODULE are refused. Needs Redis 7 or newer.
   * @default false
   */
  restricted?: boolean;
  /**
   * How long stop() gives the server for each of SHUTDOWN NOSAVE and SIGTERM before the next,
   * SIGKILL last: a server is gone within twice this, whatever state it is in.
   * @default 1500
   */
  graceMs?: number;
}

export const DEFAULT_GRACE_MS = 1500;

/** The oldest Redis that can run `restricted`: the enable-*-command settings came with 7.0. */
export const RESTRICTED_MIN_VERSION = '7.0';

/** Settings, as name and value, for everything but the password, port, address and folder. */
export function settings(options: RedisOptions): Array<[string, string]> {
  const list: Array<[string, string]> = [
    ['save', ''],
    ['appendonly', options.persist ? 'yes' : 'no'],
    ['daemonize', 'no'],
    ['loglevel', 'warning'],
    ['logfile', ''],
  ];
  if (options.persist) list.push(['appendfsync', 'always']);
  if (options.maxMemory) list.push(['maxmemory', options.maxMemory], ['maxmemory-policy', 'noeviction']);
  if (options.restricted) list.push(['enable-protected-configs', 'no'], ['enable-debug-command', 'no'], ['enable-module-command', 'no']);
  return list;
}

/** Checks what a caller passes, before anything starts. */
export function checkOptions(options: RedisOptions): void {
  const { port, graceMs, password } = options;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new TypeError(`Expected \`port\` to be an integer from 1 to 65535, got \`${String(port)}\` (${typeof port})`);
  }
  if (graceMs !== undefined && !(Number.isFinite(graceMs) && graceMs >= 0)) {
    throw new TypeError(`Expected \`graceMs\` to be a finite number >= 0, got \`${String(graceMs)}\` (${typeof graceMs})`);
  }
  // A configuration file takes one line per setting: a newline would start a second one.
  if (password !== undefined && (password === '' || /[\s"'\\]/.test(password))) {
    throw new TypeError('Expected `password` to be a non-empty string without spaces, quotes or backslashes (use newSecret(): base64url)');
  }
}

/** A configuration file's line: `name "value"`, quoted so that an empty value stays one. */
export function configLine(name: string, value: string): string {
  return `${name} "${value}"`;
}
