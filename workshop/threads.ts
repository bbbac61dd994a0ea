/**
 * Worker threads that run TypeScript need nothing special: Node 22.18 and newer strip the types
 * from a `.ts` file as they load it, in a worker thread as in the main one. This is the one way
 * the lessons start a thread:
 *
 * @example
 * const worker = new Worker(new URL('./dryer-worker.ts', import.meta.url), { workerData: { id: 1 } });
 *
 * What Node can strip is TypeScript whose types can simply be erased, with relative imports that
 * name the `.ts` file. A learner's file that also holds an `enum`, a `namespace` or a parameter
 * property (`constructor(private x: number)`) runs through tsx instead, a little slower to start
 * (workshop/typescript/fallback.ts); `tsconfig.json` keeps `erasableSyntaxOnly`, so the editor
 * still underlines them.
 */
export {};
