/**
 * `npm start` in a real terminal for the tests: tmux runs it in a pseudo-terminal, keys go in with
 * send-keys, and the screen is read back with capture-pane. Sessions are named; `menu` is the default.
 */
import { execFileSync } from 'node:child_process';
import { ROOT } from '../../workshop/target.ts';

// One tmux server per session: a new server takes the environment it is started with.
export const socket = (session: string) => `workshop-test-${process.pid}-${session}`;
/** `tmux <command> -t <session> ...args` on that session's server. */
export const tmux = (session: string, command: string, ...args: string[]) => execFileSync('tmux', ['-L', socket(session), command, '-t', session, ...args], { encoding: 'utf8' });
export const screen = (session = 'menu') => tmux(session, 'capture-pane', '-p');
export const pressIn = (session: string, ...keys: string[]) => tmux(session, 'send-keys', ...keys);
export const press = (...keys: string[]) => pressIn('menu', ...keys);
/** The exit code of `npm start` once it has ended. */
export const exitCode = async (session: string) => Number((await shows(/\[npm start exited with (\d+)\]/, 20_000, session)).match(/\[npm start exited with (\d+)\]/)![1]);

/** Starts `npm start` in a new tmux session of `columns` x `rows` with `env` added. */
export function open(session: string, env: NodeJS.ProcessEnv, columns = 130, rows = 50): void {
  const all = { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1', ...env };
  // The shell prints the exit code: tmux 3.3's #{pane_dead_status} is not always filled in.
  const command = `${process.execPath} workshop/launch.mjs start; echo "[npm start exited with $?]"`;
  execFileSync('tmux', ['-L', socket(session), '-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command], { cwd: ROOT, env: all });
  tmux(session, 'set-option', 'remain-on-exit', 'on');
}

/** Waits until the screen shows `pattern`; fails with the screen as it is. */
export async function shows(pattern: RegExp, ms = 20_000, session = 'menu'): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const text = screen(session);
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`The screen never showed ${pattern}. It shows:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
