/**
 * A stop that cannot be refused. A Redis asked to stop with SIGTERM saves first and, when that save
 * fails (its folder was deleted, the disk is full), logs "can't exit" and goes on serving: a class's
 * state server once outlived its class that way. So: SHUTDOWN NOSAVE over a connection, with the
 * password (the append-only file is still flushed); if the server is still there after the grace
 * period (it refused, its password was changed, it is stopped with SIGSTOP), SIGTERM; after the
 * grace period again, SIGKILL, which nothing survives.
 */
import { Redis, ReplyError } from 'ioredis';

export type EndedBy = 'already gone' | 'SHUTDOWN NOSAVE' | 'SIGTERM' | 'SIGKILL';

export interface Stoppable {
  /** The server's address, with its password. */
  url: string;
  /** Resolves once the server's process has exited. */
  exited: Promise<void>;
  isGone(): boolean;
  /** Sends a signal to the server's process. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
  graceMs: number;
}

/** Ends the server whatever state it is in; says what ended it. */
export async function stopServer(server: Stoppable): Promise<EndedBy> {
  if (server.isGone()) return 'already gone';
  const deadline = Date.now() + server.graceMs;
  const took = await Promise.race([shutdownNosave(server.url, server.graceMs), server.exited.then(() => true)]);
  if (took && (await settlesWithin(server.exited, deadline - Date.now()))) return 'SHUTDOWN NOSAVE';
  server.signal('SIGTERM');
  if (await settlesWithin(server.exited, server.graceMs)) return 'SIGTERM';
  server.signal('SIGKILL');
  await server.exited;
  return 'SIGKILL';
}

/**
 * Sends SHUTDOWN NOSAVE; true once the server has closed the connection under it, which is what a
 * shutdown does. False, early, on an answer (a wrong password, "Errors trying to SHUTDOWN") or when
 * it cannot be reached; false after `ms` when it does not answer at all (stopped with SIGSTOP).
 */
export async function shutdownNosave(url: string, ms: number): Promise<boolean> {
  const { hostname, port, password, username } = new URL(url);
  // AUTH is sent as a command, not by the client on connecting, so a wrong password is an answer here.
  const client = new Redis({
    host: hostname.replace(/^\[|\]$/g, ''),
    port: Number(port) || 6379,
    lazyConnect: true,
    connectTimeout: ms,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    // Nothing before our AUTH: HELLO (RESP3) and CLIENT SETINFO would fail unauthenticated and close the connection.
    protocol: 2,
    disableClientInfo: true,
    retryStrategy: () => null,
    // disconnect() waits this long for a frozen server to close its end (SIGSTOP), holding the process.
    disconnectTimeout: 100,
  });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const asked = (async () => {
    try {
      await client.connect();
      if (password) await client.call('AUTH', ...(username ? [decodeURIComponent(username)] : []), decodeURIComponent(password));
    } catch {
      return false;
    }
    try {
      await client.call('SHUTDOWN', 'NOSAVE');
      return false; // an answer, OK or not, means it is still there
    } catch (error) {
      return !(error instanceof ReplyError) && error instanceof Error && /Connection is closed/i.test(error.message);
    }
  })();
  try {
    return await Promise.race([asked, timeout]);
  } finally {
    clearTimeout(timer);
    // disconnect() of a connection already closed leaves a timer of disconnectTimeout behind.
    if (client.status !== 'end') client.disconnect();
  }
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms)))),
  ]).finally(() => clearTimeout(timer));
}
