/**
 * Worker threads that run TypeScript: `import { TSX_IN_WORKER } from '#workshop/threads'`.
 *
 * A worker thread starts a fresh module loader, so a `.ts` worker file needs tsx loaded into it.
 * `execArgv: ['--import', 'tsx']` is the usual way, but before Node 22 tsx does not register itself
 * in worker threads, so this registers tsx's loader explicitly, which works on every Node we support.
 *
 * @example
 * const worker = new Worker(new URL('./dryer-worker.ts', import.meta.url), {
 *   workerData: { id: 1 },
 *   execArgv: TSX_IN_WORKER,
 * });
 */
export const TSX_IN_WORKER: string[] = [
  '--import',
  `data:text/javascript,import{register}from${JSON.stringify(import.meta.resolve('tsx/esm/api'))};register()`,
];
