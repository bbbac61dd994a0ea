/**
 * A local redis-server runs under a tiny shell guard that ends it when the process that started
 * it dies, however it dies: the guard holds the read end of a pipe whose write end only the
 * starter has, so the pipe reaches end of file when the starter closes it or is gone. The guard
 * then sends SIGTERM and, if the server is still there after the grace period (a server whose
 * save fails refuses SIGTERM), SIGKILL. It exits when the server exits, so a server that fails to
 * start is seen at once, and leaves no watcher behind.
 *
 *   sh -c GUARD redis-guard <grace, in tenths of a second> <binary> <args…>
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { serverInfo, type ServerInfo } from './probe.ts';

export const GUARD = [
  'grace=$1',
  'shift',
  'exec 3<&0',
  '"$@" 3<&- &',
  'pid=$!',
  'end() {',
  '  kill -TERM $pid 2>/dev/null',
  '  i=0',
  '  while kill -0 $pid 2>/dev/null; do',
  '    if [ $i -ge $grace ]; then kill -KILL $pid 2>/dev/null; break; fi',
  '    sleep 0.1',
  '    i=$((i + 1))',
  '  done',
  '}',
  '( read -r _ <&3; end ) &',
  'watcher=$!',
  'exec 3<&-',
  // The server is this shell's child: only this shell's wait reaps it, so the countdown runs in a subshell.
  "trap '( end ) & wait $pid; kill $watcher 2>/dev/null; exit 0' TERM INT HUP",
  'wait $pid',
  'code=$?',
  'kill $watcher 2>/dev/null',
  'exit $code',
].join('\n');

export interface Guarded {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the guard has exited, which it does once the server has. */
  exited: Promise<void>;
  /** The server's last lines of output (its log goes to stdout). */
  output(): string;
}

/** Starts `binary args…` under the guard. */
export function spawnGuarded(binary: string, args: string[], graceMs: number): Guarded {
  const tenths = String(Math.max(1, Math.ceil(graceMs / 100)));
  const child = spawn('sh', ['-c', GUARD, 'redis-guard', tenths, binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // A guard that is gone cannot read: writing to it would be EPIPE, and nothing is written anyway.
  child.stdin.on('error', () => {});
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return { child, exited, output: () => output };
}

export function hasExited(guarded: Guarded): boolean {
  return guarded.child.exitCode !== null || guarded.child.signalCode !== null;
}

/** Waits until the server answers at `url` (its version and process id), or fails if it exits first or takes over 10 s. */
export async function waitUntilUp(url: string, guarded: Guarded): Promise<ServerInfo> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (hasExited(guarded)) throw new Error(`it exited at once (${lastWords(guarded.output())})`);
    try {
      // Something else on the port may accept the connection and never answer: the server's exit says more.
      return await Promise.race([serverInfo(url, 500), guarded.exited.then(() => Promise.reject(new Error('exited')))]);
    } catch (error) {
      if (hasExited(guarded)) continue;
      if (Date.now() > deadline) throw new Error(`no answer after 10 s (${(error as Error).message}): ${guarded.output().trim()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** The last two lines a server wrote, without their `pid:role date time #` prefixes: why it stopped. */
function lastWords(output: string): string {
  const lines = output.split('\n').map((line) => line.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, '').trim()).filter(Boolean);
  return lines.slice(-2).join(' / ') || 'no output';
}
