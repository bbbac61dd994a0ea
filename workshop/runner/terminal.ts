/**
 * Small helpers for what the runner prints: colour only when a person is looking at a terminal.
 */
import { styleText } from 'node:util';

export type Style = Parameters<typeof styleText>[0];

export const color = (style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string =>
  stream.isTTY && !process.env.NO_COLOR ? styleText(style, text) : text;

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
