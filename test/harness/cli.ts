/**
 * The runner's commands as a learner runs them, in a child process: output read back as it
 * comes, waited on by what it says (never by a sleep), and the process tree checked afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { provideRedis, type ProvidedRedis } from '../../workshop/provision/provision.ts';
import { ROOT } from '../../workshop/target.ts';

export { descendants } from '../../workshop/checks/children.ts';

export interface Cli {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches (counting from `from` characters on); rejects with the output if the process ends first. */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/**
 * Starts `node workshop/launch.mjs ...args`. With `tty`, in a pseudo-terminal (util-linux
 * `script`), so the command draws what it draws for a person; the output is then the terminal's,
 * escape codes and all, and arrives as it is written. With `keys` as well, what the test writes to
 * `child.stdin` is typed into that terminal.
 */
export function launch(args: readonly string[], env: NodeJS.ProcessEnv, { tty = false, keys = false } = {}): Cli {
  const command = [process.execPath, 'workshop/launch.mjs', ...args];
  const quoted = command.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn(tty ? 'script' : command[0]!, tty ? ['-qfec', quoted, '/dev/null'] : command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: '', WORKSHOP_REDIS_URL: '', WORKSHOP_KEY_PREFIX: '', NO_COLOR: '1', ...env },
    // keys: the test types into the terminal through the child's stdin (script passes it on).
    stdio: [tty && keys ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(output.slice(from));
          if (!match) return;
          listeners.delete(check);
          resolve(match);
        };
        listeners.add(check);
        check();
        void exited.then(() => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          reject(new Error(`The command ended without printing ${pattern}:\n${output}`));
        });
      });
    },
  };
}

/** A folder inside the project to check instead of lessons/, holding copies of `lessons` from `source`. */
export function scratchTarget(source: 'solutions' | 'lessons', lessonSlugs: readonly string[]): { target: string; dir: string; progress: string; remove(): void } {
  const base = join(ROOT, '.workshop', 'runner-tests');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'target-'));
  for (const slug of lessonSlugs) cpSync(join(ROOT, source, slug), join(dir, slug), { recursive: true });
  return { target: relative(ROOT, dir), dir, progress: join(dir, 'progress.json'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Running, not merely waiting to be reaped (a zombie has ended). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return existsSync('/proc/self') ? false : true;
  }
}

/** The processes of `pids` still running once they have had `ms` to end (a SIGKILL takes a moment to land). */
export async function survivors(pids: readonly number[], ms = 5000): Promise<number[]> {
  const until = Date.now() + ms;
  while (pids.some(alive) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
  return pids.filter(alive);
}

/** A Redis of the test's own for the describe block this is called in: the checks under test get it as REDIS_URL. */
export function ownRedis(): { readonly url: string; blockedInBlpop(): Promise<void> } {
  let redis: ProvidedRedis | undefined;
  beforeAll(async () => {
    redis = await provideRedis();
  });
  afterAll(() => redis?.stop());
  return {
    get url() {
      return redis!.url;
    },
    /** Resolves once some client of this server waits in BLPOP: the moment a hanging check is stuck. */
    async blockedInBlpop() {
      const observer = new Redis(redis!.url);
      try {
        while (!/cmd=blpop/.test(String(await observer.client('LIST')))) await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        observer.disconnect();
      }
    },
  };
}
