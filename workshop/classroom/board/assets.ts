/**
 * The board's page, as the classroom server hands it out: `/board` is the HTML (the server asks
 * for the instructor's token there), `/board/board.js` and `/board/board.css` its script and style
 * (served without the token: the page cannot pass it on, and they hold no class data). Any other
 * name, or one with `..`, gets `undefined` (the server answers 404).
 *
 * @example
 * const asset = boardAsset(new URL(request.url, 'http://x').pathname);
 * if (asset) response.writeHead(200, { 'content-type': asset.type }).end(asset.body);
 */
import { readFileSync } from 'node:fs';

/** The page's files by the path they are served at, with their content types. */
const FILES: ReadonlyMap<string, { file: string; type: string }> = new Map([
  ['/board', { file: 'board.html', type: 'text/html; charset=utf-8' }],
  ['/board/board.js', { file: 'board.js', type: 'text/javascript; charset=utf-8' }],
  ['/board/board.css', { file: 'board.css', type: 'text/css; charset=utf-8' }],
]);

/**
 * The file for a request's path (its pathname, without the query), or `undefined`. Read at each
 * call, so an edited file shows at the next reload.
 */
export function boardAsset(path: string): { type: string; body: Buffer } | undefined {
  if (typeof path !== 'string') throw new TypeError(`Expected \`path\` to be a string, got \`${String(path)}\` (${typeof path})`);
  const found = path.includes('..') ? undefined : FILES.get(path);
  if (!found) return undefined;
  return { type: found.type, body: readFileSync(new URL(`./${found.file}`, import.meta.url)) };
}
