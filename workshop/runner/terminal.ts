/**
 * Small helpers for what the runner prints: colour only when a person is looking at a terminal.
 */
import { styleText } from 'node:util';

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
