/**
 * Tells when a lesson's files are saved. File events from the system where they work; polling
 * where they do not (network drives, a Windows folder seen from WSL), and the caller says which.
 */
import { readdirSync, readFileSync, rmSync, unwatchFile, watch, watchFile, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface FileWatch {
  mode: 'events' | 'polling';
  /** Why polling was chosen, in words for the screen. */
  reason?: string;
  close(): void;
}

export interface WatchOptions {
  /** `poll` forces polling; the default tries file events first. From WORKSHOP_WATCH. */
  mode?: 'auto' | 'poll';
  /** How often polling looks at the files. */
  intervalMs?: number;
  /** Changes closer together than this make one call (an editor may write a file twice). */
  settleMs?: number;
}

const isSource = (name: string) => /\.(ts|mts|js|mjs|json)$/.test(name);

/** Calls `onChange` with the files changed, once per burst of saves in `dir` (not recursive). */
export async function watchFolder(dir: string, onChange: (files: string[]) => void, options: WatchOptions = {}): Promise<FileWatch> {
  const { intervalMs = 150, settleMs = 20 } = options;
  const mode = options.mode ?? (process.env.WORKSHOP_WATCH === 'poll' ? 'poll' : 'auto');
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const changed = (file: string) => {
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending];
      pending.clear();
      onChange(files);
    }, settleMs);
  };

  let reason = mode === 'poll' ? 'WORKSHOP_WATCH=poll' : wslWindowsFolder(dir);
  if (!reason) {
    try {
      const watcher = await eventsThatWork(dir);
      watcher.on('change', (_event, name) => name && isSource(String(name)) && changed(join(dir, String(name))));
      return { mode: 'events', close: () => (clearTimeout(timer), watcher.close()) };
    } catch (error) {
      reason = (error as Error).message;
    }
  }
  const files = readdirSync(dir).filter(isSource).map((name) => join(dir, name));
  for (const file of files) watchFile(file, { interval: intervalMs }, (now, before) => now.mtimeMs !== before.mtimeMs && changed(file));
  return { mode: 'polling', reason, close: () => (clearTimeout(timer), files.forEach((file) => unwatchFile(file))) };
}

/** A watcher on `dir`, once a probe file written there has been seen; throws why not. */
async function eventsThatWork(dir: string): Promise<FSWatcher> {
  const probe = `.watch-probe-${process.pid}`;
  const watcher = watch(dir, { persistent: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('file events did not arrive within a second')), 1000);
      watcher.on('error', (error) => (clearTimeout(timeout), reject(new Error(`file events failed: ${error.message}`))));
      watcher.on('change', (_event, name) => String(name) === probe && (clearTimeout(timeout), resolve()));
      writeFileSync(join(dir, probe), 'probe');
    });
    return watcher;
  } catch (error) {
    watcher.close();
    throw error;
  } finally {
    rmSync(join(dir, probe), { force: true });
  }
}

/** In WSL, a folder on the Windows side (/mnt/c/...) gets no events for saves made by Windows editors. */
function wslWindowsFolder(dir: string): string | undefined {
  try {
    const wsl = /microsoft/i.test(readFileSync('/proc/version', 'utf8'));
    return wsl && dir.startsWith('/mnt/') ? 'a Windows folder seen from WSL gets no file events' : undefined;
  } catch {
    return undefined;
  }
}
