/**
 * A worker thread whose file Node cannot load, explained: which file and line, and what to write
 * instead. Node runs a thread's `.ts` file by erasing its types, so TypeScript that has no
 * erasable form (an enum, a parameter property, a namespace) and imports without `.ts` stop the
 * thread before it starts, with an error that names neither the fix nor, for imports, the line.
 * (A learner's file with such TypeScript runs through tsx instead, workshop/typescript/fallback.ts:
 * this explains it where the fallback is not installed, or for a file outside the learner's folders.)
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../target.ts';

const FIXES: [RegExp, string][] = [
  [/\benum\b/, 'write a union of string literals, or a `const` object with `as const`, instead of an enum'],
  [/parameter propert/, 'declare the field in the class body and assign it in the constructor, instead of `constructor(private x: T)`'],
  [/namespace|module/, 'use the file itself as the module: export what the namespace held'],
  [/import.*=.*require|export =/, 'use `import` and `export`'],
];

const SYNTAX = new Set(['ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_INVALID_TYPESCRIPT_SYNTAX']);

/** Where in the project a `file:` URL or path is, for a message. */
function shortPath(fileOrUrl: string): string {
  const path = fileOrUrl.startsWith('file:') ? fileURLToPath(fileOrUrl) : fileOrUrl;
  return relative(ROOT, path);
}

/**
 * The teaching message for a thread that did not load, or undefined when `error` is of another
 * kind. The first line of a syntax error's stack is `file:///…/worker.ts:LINE`.
 */
export function threadLoadMessage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (SYNTAX.has(code)) {
    const where = /^(file:\S+?):(\d+)$/m.exec(error.stack ?? '');
    const place = where ? `${shortPath(where[1]!)}:${where[2]}` : 'a worker thread\'s file';
    const fix = FIXES.find(([pattern]) => pattern.test(error.message))?.[1] ?? 'keep to TypeScript whose types can simply be erased';
    return `${place}: a worker thread could not load this file: ${error.message}. ` +
      `Node runs a thread's TypeScript by erasing the types, and this has no erasable form: ${fix}.`;
  }
  const missing = /^Cannot find module '([^']+)' imported from (\S+\.ts)$/.exec(error.message);
  if (code === 'ERR_MODULE_NOT_FOUND' && missing && !/\.[cm]?[jt]s$/.test(missing[1]!)) {
    return `${shortPath(missing[2]!)}: a worker thread could not load it: it imports ${shortPath(missing[1]!)} without an extension. ` +
      `Node looks for the exact file: write the import with .ts at the end.`;
  }
  return undefined;
}

/** Puts the teaching message in the error itself, so whoever catches or prints it shows it. */
export function explainThreadLoadError(error: unknown): void {
  const message = threadLoadMessage(error);
  if (!message || !(error instanceof Error)) return;
  // An error that crossed from the thread may carry message and stack as read-only or as
  // accessors; define them afresh so the teaching message is what every printer shows.
  for (const [key, value] of [['message', message], ['stack', `${error.name}: ${message}`]] as const) {
    try {
      Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
    } catch {
      // A frozen error keeps Node's words; the test's own message still names the thread.
    }
  }
}
