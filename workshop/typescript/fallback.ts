/**
 * Any TypeScript a learner writes runs. Node loads a `.ts` file by erasing its types, and refuses
 * TypeScript that has no erasable form: an enum, a namespace, a parameter property
 * (`constructor(private x: T)`). For a learner's file only (under lessons/, or the folder the
 * checks target), the load hook below first asks Node's own type stripping; when Node refuses,
 * it compiles the file with tsx's transformer (esbuild) instead, and says so in one line.
 *
 * preload.ts installs the hook in every thread and process of a run: it travels in NODE_OPTIONS
 * (`--import`), which worker threads honour even when started with `execArgv: []`, and which child
 * processes inherit with the environment.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createRequire, setSourceMapsSupport, stripTypeScriptTypes, type LoadFnOutput, type LoadHookContext } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, targetDir } from '../target.ts';

/** A folder the runner reads after a run: one file per fallback, so each is told once per run. */
export const NOTES_VARIABLE = 'WORKSHOP_TYPESCRIPT_NOTES';

const PRELOAD = new URL('./preload.ts', import.meta.url).href;

/** `nodeOptions` with the preload added (once), for the environment of a run's processes. */
export function withTypeScriptFallback(nodeOptions: string | undefined): string {
  const current = nodeOptions?.trim() ?? '';
  return current.includes(PRELOAD) ? current : `${current} --import ${PRELOAD}`.trim();
}

/** What Node's type stripping refused in a file: the construct, in plain words, and its line. */
export interface Refusal {
  construct: string;
  line?: number;
}

const CONSTRUCTS: [RegExp, string][] = [
  [/\benum\b/, 'an enum'],
  [/parameter propert/, 'a parameter property'],
  [/namespace|module declaration/, 'a namespace'],
];

/** undefined when Node strips `source` as it is; what it refused otherwise. A plain syntax error is Node's to report. */
export function refusal(source: string): Refusal | undefined {
  // stripTypeScriptTypes() warns once that it is experimental; the warning is ours, not the learner's.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).startsWith('stripTypeScriptTypes')) (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    stripTypeScriptTypes(source);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') return undefined;
    const message = (error as Error).message;
    const named = /TypeScript (.+?) is not supported/.exec(message)?.[1];
    const construct = CONSTRUCTS.find(([pattern]) => pattern.test(message))?.[1] ?? (named ? `${/^[aeiou]/i.test(named) ? 'an' : 'a'} ${named}` : 'TypeScript without an erasable form');
    // Node's stack starts with `<file>:<line>`, the file left empty for code given as a string.
    const line = Number(/^[^\n]*:(\d+)\n/.exec((error as Error).stack ?? '')?.[1]);
    return { construct, line: Number.isInteger(line) && line > 0 ? line : undefined };
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** The one line a fallback prints. */
export function describeFallback(file: string, { construct, line }: Refusal): string {
  const where = `${relative(ROOT, file).split(sep).join('/')}${line ? `:${line}` : ''}`;
  return `${where} uses ${construct}, which Node's type stripping cannot run; it is loaded through tsx instead (slower to start).`;
}

type Esbuild = typeof import('esbuild');
let esbuild: Esbuild | undefined;

/**
 * `source` compiled to JavaScript by esbuild, the transformer tsx runs, with tsx's own options and
 * the project's tsconfig where they matter. esbuild is taken from tsx's dependency, and only when
 * first needed: a thread whose files Node strips never loads it. transformSync, not tsx's
 * register(): the hook is synchronous and compiles one file, where register() would route every
 * file of the thread through tsx's asynchronous loader.
 */
export function compile(source: string, file: string): string {
  if (!esbuild) {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
    esbuild = fromTsx('esbuild') as Esbuild;
    // Stack traces then name the learner's lines, not esbuild's.
    setSourceMapsSupport(true);
  }
  return esbuild.transformSync(source, {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcefile: file,
    sourcemap: 'inline',
    keepNames: true,
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  }).code;
}

let folders: { target: string | undefined; list: string[] } | undefined;

/** The folders whose files are the learner's: lessons/, and the folder the checks target (read when asked: vitest sets it late). */
function learnerFolders(): string[] {
  const target = process.env.WORKSHOP_TARGET;
  if (folders && folders.target === target) return folders.list;
  const list = [`${ROOT}${sep}lessons${sep}`];
  try {
    list.push(`${targetDir()}${sep}`);
  } catch {
    // A WORKSHOP_TARGET that does not exist is the runner's to report.
  }
  folders = { target, list };
  return list;
}

/**
 * What the refused syntax looks like: `enum X {`, `namespace X` or `module X {`, or a constructor
 * parameter with an accessibility or readonly modifier. A file without any of it is not stripped a
 * second time here (a class field marked readonly is common and fine).
 */
const MAYBE_REFUSED = /\b(?:enum|namespace|module)\s+[\w$.]+\s*\{|\bconstructor\s*\((?:[^()]|\([^()]*\))*?\b(?:private|protected|public|readonly|override)\s+[\w$]/;

const told = new Set<string>();

/** Tells the fallback once: to the runner's notes folder when there is one (it prints them), else to stderr once per thread. */
function tell(file: string, text: string): void {
  const notes = process.env[NOTES_VARIABLE];
  if (notes) {
    try {
      // 'wx': the first thread or process to get here writes it, every other one finds it there.
      const fd = openSync(`${notes}${sep}${createHash('sha1').update(file).digest('hex').slice(0, 16)}.txt`, 'wx');
      writeSync(fd, `${text}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      // No notes folder after all (the run has ended): say it here.
    }
  }
  if (!told.has(file)) process.stderr.write(`${text}\n`);
  told.add(file);
}

/** The load hook (module.registerHooks): a learner's `.ts` file Node refuses to strip is compiled by tsx's esbuild. */
export function load(url: string, context: LoadHookContext, nextLoad: (url: string, context?: Partial<LoadHookContext>) => LoadFnOutput): LoadFnOutput {
  const loaded = nextLoad(url, context);
  if (loaded.format !== 'module-typescript' || !url.startsWith('file:')) return loaded;
  const file = fileURLToPath(url);
  if (!learnerFolders().some((folder) => file.startsWith(folder))) return loaded;
  const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString('utf8');
  // Most files have none of the words such syntax needs: no need to strip them twice.
  if (!MAYBE_REFUSED.test(source)) return loaded;
  const refused = refusal(source);
  if (!refused) return loaded;
  tell(file, describeFallback(file, refused));
  return { format: 'module', source: compile(source, file), shortCircuit: true };
}
