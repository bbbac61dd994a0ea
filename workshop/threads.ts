/**
 * Worker threads that run TypeScript need nothing special any more: Node 22.18 and newer strip the
 * types from a `.ts` file as they load it, in a worker thread as in the main one.
 *
 * @example
 * const worker = new Worker(new URL('./dryer-worker.ts', import.meta.url), { workerData: { id: 1 } });
 *
 * What Node can strip is TypeScript whose types can simply be erased: no `enum`, no `namespace`,
 * no parameter properties (`constructor(private x: number)`), and relative imports that name the
 * `.ts` file. `tsconfig.json` asks for exactly that (`erasableSyntaxOnly`), so your editor
 * underlines what a thread could not load.
 */

/**
 * Kept so that code written for earlier versions of the workshop, which passed
 * `execArgv: TSX_IN_WORKER` to load tsx into each thread, still runs. It is empty: a thread
 * inherits nothing and needs nothing.
 * @deprecated Start the worker without `execArgv`.
 */
export const TSX_IN_WORKER: string[] = [];
