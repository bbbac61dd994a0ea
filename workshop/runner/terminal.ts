/**
 * Small helpers for what the runner prints: colour only when a person is looking at a terminal.
 */
import { stripVTControlCharacters, styleText } from 'node:util';

export type Style = Parameters<typeof styleText>[0];

/** Colour only for a person at a terminal: NO_COLOR turns it off, FORCE_COLOR on even in a pipe (set and not empty, as no-color.org asks). */
export function wantsColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return !['0', 'false'].includes(env.FORCE_COLOR);
  return Boolean(stream.isTTY);
}

export const color = (style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string =>
  wantsColor(stream) ? styleText(style, text, { validateStream: false }) : text;

export const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');

/** `[#######.............] 7/20` */
export function progressBar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

// eslint-disable-next-line no-control-regex -- a colour code starts with ESC
const ESCAPE = /\x1b\[[0-9;]*m/y;

/**
 * `text` cut to `columns` visible characters, with an ellipsis where it was cut: colour codes
 * count for nothing, and an open colour is closed. A line longer than the terminal would wrap and
 * push the screen up.
 */
export function fit(text: string, columns: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; ) {
    ESCAPE.lastIndex = i;
    const code = ESCAPE.exec(text);
    if (code) {
      out += code[0];
      i += code[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (visible === columns - 1 && i + char.length < text.length && visibleLength(text.slice(i)) > 1) return `${out}…${out.includes('\x1b[') ? '\x1b[0m' : ''}`;
    out += char;
    visible++;
    i += char.length;
  }
  return out;
}

export function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/** Words of `text` in lines of at most `columns`. */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && visibleLength(line) + 1 + visibleLength(word) > columns) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((part) => fit(part, columns));
}
