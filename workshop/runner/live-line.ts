/**
 * The one line that says, while checks run, where they are:
 *
 *   02b · 3/8 · started first, it blocks in BLPOP until dishes come… 1.2 s
 *
 * Redrawn in place on a terminal, several times a second so the time moves, and erased before the
 * report is printed, so the report reads as it always did. When the output is not a terminal (a
 * pipe, a file, CI), it prints nothing at all: no escape codes in anyone's log.
 */
import type { RunProgress } from '../checks/run-progress.ts';
import { color } from './terminal.ts';

/** How often the elapsed time is redrawn. */
const TICK_MS = 100;

export class LiveLine {
  private progress?: RunProgress;
  private label = '';
  private startedAt = Date.now();
  private ticker?: NodeJS.Timeout;
  private shown = false;
  private readonly stream: NodeJS.WriteStream;
  readonly enabled: boolean;

  constructor(stream: NodeJS.WriteStream = process.stdout) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY) && process.env.WORKSHOP_LIVE !== '0';
  }

  /** Before a run exists (vitest still starting): `02b · starting the checks… 0.4 s`. */
  starting(label: string): void {
    this.label = label;
    this.progress = undefined;
    this.startedAt = Date.now();
    this.draw();
  }

  /** The session's progress callback: pass it as `onProgress`. */
  readonly update = (progress: RunProgress): void => {
    this.progress = progress;
    this.draw();
  };

  /** Erases the line and stops redrawing; call it before printing anything else. */
  clear(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  /** Prints `text` on lines of its own above the live line, which goes on below it. */
  above(text: string): void {
    if (!this.shown) {
      console.log(text);
      return;
    }
    this.stream.write('\r\x1b[2K');
    console.log(text);
    this.draw();
  }

  private draw(): void {
    if (!this.enabled) return;
    this.ticker ??= setInterval(() => this.draw(), TICK_MS).unref();
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[2K${fit(this.text(), width)}`);
    this.shown = true;
  }

  private text(): string {
    const now = Date.now();
    const progress = this.progress;
    if (!progress) return `${this.label} · starting the checks… ${seconds(now - this.startedAt)}`;
    const step = progress.current?.stepId ?? progress.steps[0] ?? '';
    const count = `${progress.done}/${progress.total ?? '?'}`;
    if (!progress.current) {
      const what = progress.total === undefined ? 'loading the checks…' : progress.done === 0 ? 'starting…' : 'next check…';
      return `${step} · ${count} · ${what} ${seconds(now - this.startedAt)}`;
    }
    return `${step} · ${count} · ${progress.current.name}… ${seconds(now - progress.current.startedAt)}`;
  }
}

/** Shortens the check's name, never the count or the time, so the line never wraps (a wrapped line cannot be redrawn). */
function fit(text: string, width: number): string {
  const styled = (plain: string) => {
    const [step = '', ...rest] = plain.split(' · ');
    return rest.length > 0 ? `${color('cyan', step)}${color('dim', ' · ')}${rest.join(color('dim', ' · '))}` : plain;
  };
  if (text.length <= width) return styled(text);
  const time = / \S+ s$/.exec(text)?.[0] ?? '';
  return styled(`${text.slice(0, width - time.length - 1)}…${time}`);
}

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
