/** Placeholder until the board's page lands: the page's files by path. */
export function boardAsset(path: string): { type: string; body: Buffer } | undefined {
  if (path !== '/board') return undefined;
  return { type: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>Board</title><p>The board page is not built yet.</p>') };
}
