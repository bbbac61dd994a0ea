/**
 * The processes this one started, and their children: what must not outlive a command. vitest's
 * close() does not wait for a test process stuck in a check, so the runner ends what is left.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** pid → parent pid, from /proc on Linux, from `ps` elsewhere; empty when neither is there. */
function parents(): Map<number, number> {
  const table = new Map<number, number>();
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // The command name in parentheses may hold spaces; the parent pid is the second field after it.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        table.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // The process ended while we looked.
      }
    }
    return table;
  }
  try {
    for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (pid && ppid !== undefined) table.set(pid, ppid);
    }
  } catch {
    // No ps (Windows): nothing to walk.
  }
  return table;
}

/** Every process below `root`, children before grandchildren. */
export function descendants(root = process.pid): number[] {
  const table = parents();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of table) {
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Ends every process below this one at once. Returns how many there were. */
export function killDescendants(): number {
  const pids = descendants();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}

/** A process's command line, shortened to the script it runs where that can be read. */
export function commandOf(pid: number): string {
  try {
    const parts = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return parts.map((part) => (part.length > 80 ? `${part.slice(0, 77)}...` : part)).join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      return `process ${pid}`;
    }
  }
}
