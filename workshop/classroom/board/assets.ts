/**
 * The board's page, as the classroom server hands it out: `/board` is the HTML, `/board/<file>`
 * its script and style. Only the files listed here are served; any other name, or one with `..`,
 * gets `undefined` (the server answers 404). The files hold no class data (the page fetches that
 * with the instructor's token), so the server may serve the assets without asking for the token.
 *
 * @example
 * const asset = boardAsset(new URL(request.url, 'http://x').pathname);
 * if (asset) response.writeHead(200, { 'content-type': asset.type }).end(asset.body);
 */
import { readFileSync } from 'node:fs';

const HTML = 'text/html; charset=utf-8';

/** The page's files by their path under `/board/`, with their content types. */
const FILES: Readonly<Record<string, string>> = {
  'board.html': HTML,
  'board.js': 'text/javascript; charset=utf-8',
  'board.css': 'text/css; charset=utf-8',
};

/**
 * The file for a request's path (its pathname, without the query): `/board` and `/board/` give
 * the HTML, `/board/board.js` the script. Read at each call, so an edited file shows at the next reload.
 */
export function boardAsset(path: string): { type: string; body: Buffer } | undefined {
  if (typeof path !== 'string') throw new TypeError(`Expected \`path\` to be a string, got \`${String(path)}\` (${typeof path})`);
  if (path.includes('..')) return undefined;
  const name = path === '/board' || path === '/board/' ? 'board.html' : path.startsWith('/board/') ? path.slice('/board/'.length) : '';
  const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!type) return undefined;
  return { type, body: readFileSync(new URL(`./${name}`, import.meta.url)) };
}
