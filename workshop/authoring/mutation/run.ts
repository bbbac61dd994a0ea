/**
 * `npm run mutation [-- 02 03]`: a mutation score measured by a tool, not by our own list of
 * mutants. StrykerJS changes the solutions one small way at a time (a `>=` for a `>`, a string
 * emptied, a call dropped) and runs the lesson's checks against each change: a change no check
 * notices is a mistake a learner could make and pass with.
 *
 * Each mutant is a plain run of the lesson's checks with the mutant named in the environment
 * (__STRYKER_ACTIVE_MUTANT__), which the test process, the threads it starts and lesson 06's
 * processes all inherit and read: code that runs only in a thread is measured like the rest. Per
 * lesson, the files the test process loads and the files only threads run are two passes, so a
 * report says which side a survivor is on.
 * `npm run mutation -- 06b` mutates one step's files (those no earlier step lists) and runs only the
 * checks of that step and of the steps that build on it: a lesson too long to mutate in one sitting
 * is measured a step at a time, each with its own report and incremental state.
 * Reports go to .workshop/mutation/ (HTML and JSON); a second run redoes only the mutants of
 * files that changed (Stryker's incremental mode), or all of a lesson's when its checks changed. Survivors are either killed by a better check or listed, with why
 * they are equivalent, in test/mutants/equivalent.txt.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import type { LogLevel, MutantResult, PartialStrykerOptions } from '@stryker-mutator/api/core';
import { findStep, lessons, type LessonInfo, type StepInfo } from '../../manifest.ts';
import { ROOT } from '../../target.ts';
import { mutateEntries, writtenLines } from './ranges.ts';
import { equivalents, keyOf, tabulate, type PassResult } from './table.ts';

const OUT = join(ROOT, '.workshop', 'mutation');
const CONFIG = join('workshop', 'authoring', 'mutation', 'vitest.config.ts');

/** The lesson's files that a thread or a process runs as its entry: `new URL('./x.ts', …)` in a sibling. */
export function threadEntries(lesson: LessonInfo): string[] {
  const files = [...new Set(lesson.steps.flatMap((step) => step.files))];
  const entries = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(ROOT, 'solutions', lesson.slug, file), 'utf8');
    for (const match of source.matchAll(/new URL\(\s*['"]\.\/([\w.-]+\.ts)['"]/g)) if (files.includes(match[1]!)) entries.add(match[1]!);
  }
  return [...entries];
}

/** A pass's name in .workshop/mutation/: the lesson or the step, and `-threads` for the files only threads run. */
function passName(lesson: LessonInfo, pass: 'main' | 'threads', step?: StepInfo): string {
  const base = step ? `${lesson.slug}-${step.id}` : lesson.slug;
  return pass === 'main' ? base : `${base}-threads`;
}

function options(lesson: LessonInfo, files: string[], pass: 'main' | 'threads', step?: StepInfo): PartialStrykerOptions {
  const name = passName(lesson, pass, step);
  return {
    // The command runner: each mutant is one plain run of the lesson's checks, with the active
    // mutant in the environment, where the test process, its threads and its child processes all
    // read it. (The vitest runner sets it in the test process's globals only, so a change in code
    // that runs in a thread went unnoticed.)
    testRunner: 'command',
    commandRunner: { command: `node ${join('node_modules', 'vitest', 'vitest.mjs')} run --config ${CONFIG} --reporter=dot --bail=1` },
    // Only what a learner writes: the starter's own lines (validation, types, setup) are given.
    mutate: files.flatMap((file) => mutateEntries(lesson.slug, file)),
    coverageAnalysis: 'off',
    // Two cores: one run of the checks at a time keeps their timing checks honest.
    concurrency: 1,
    timeoutMS: 15_000,
    reporters: ['html', 'json', 'progress'],
    htmlReporter: { fileName: join(OUT, `${name}.html`) },
    jsonReporter: { fileName: join(OUT, `${name}.json`) },
    incremental: true,
    incrementalFile: join(OUT, `${name}.incremental.json`),
    tempDirName: join('.workshop', 'stryker-tmp'),
    ignorePatterns: ['.node', '.workshop', 'slides/dist', 'docs', 'bench', 'test/harness', 'test/classroom', 'test/slides', 'test/bench', 'test/alternatives', 'test/mutants'],
    cleanTempDir: true,
    logLevel: (process.env.WORKSHOP_MUTATION_LOG ?? 'warn') as LogLevel,
  };
}

/**
 * The checks a lesson's mutants run against: its test file and everything under test/support/.
 * Stryker's incremental mode sees changes to the mutated files only (its command runner tells it
 * nothing of tests), so a change here makes the next run redo every mutant.
 */
function checksHash(lesson: LessonInfo): string {
  const hash = createHash('sha256');
  const support = join(ROOT, 'test', 'support');
  const files = [join(ROOT, 'test', `${lesson.slug}.test.ts`), ...(readdirSync(support, { recursive: true }) as string[]).map((file) => join(support, file))];
  for (const file of files.sort()) if (file.endsWith('.ts')) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

async function runPass(lesson: LessonInfo, files: string[], pass: 'main' | 'threads', step?: StepInfo): Promise<MutantResult[]> {
  if (files.length === 0) return [];
  process.env.WORKSHOP_MUTATION_LESSONS = lesson.slug;
  if (step) process.env.WORKSHOP_MUTATION_STEPS = [step.id, ...builtOn(lesson, step)].join(',');
  else delete process.env.WORKSHOP_MUTATION_STEPS;
  const stamp = join(OUT, `${passName(lesson, pass, step)}.checks`);
  const hash = checksHash(lesson);
  const force = !existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash;
  const results = await new Stryker({ ...options(lesson, files, pass, step), force }).runMutationTest();
  writeFileSync(stamp, hash);
  const written = writtenLines(lesson.slug, files);
  return results.filter((mutant) => written(basename(mutant.fileName), mutant.location.start.line));
}

/** The steps of `lesson` that run `step`'s code, directly or through another. */
function builtOn(lesson: LessonInfo, step: StepInfo): string[] {
  const users = new Set<string>();
  for (const other of lesson.steps) if ((other.buildsOn ?? []).some((id) => id === step.id || users.has(id))) users.add(other.id);
  return [...users];
}

/** A step's own files: those it lists that no earlier step of its lesson lists. */
function ownFiles(lesson: LessonInfo, step: StepInfo): string[] {
  const earlier = new Set(lesson.steps.slice(0, lesson.steps.indexOf(step)).flatMap((other) => other.files));
  return step.files.filter((file) => !earlier.has(file));
}

export async function main(args: string[]): Promise<number> {
  const wanted = args.filter((arg) => !arg.startsWith('-'));
  const steps = wanted.map((id) => findStep(id)).filter((found) => found !== undefined);
  const chosen = lessons.filter((lesson) => wanted.length === 0 || wanted.includes(lesson.id));
  if (chosen.length + steps.length === 0 || chosen.length + steps.length < wanted.length) {
    console.error(`Expected lesson numbers such as 02 03, or steps such as 06b, got \`${wanted.join(' ')}\`; lessons: ${lessons.map((lesson) => lesson.id).join(', ')}`);
    return 2;
  }
  mkdirSync(OUT, { recursive: true });
  const listed = equivalents();
  const results: PassResult[] = [];
  for (const lesson of chosen) {
    if (!existsSync(join(ROOT, 'solutions', lesson.slug))) continue;
    const started = Date.now();
    const threads = threadEntries(lesson);
    const all = [...new Set(lesson.steps.flatMap((step) => step.files))];
    const mutants = [
      ...(await runPass(lesson, all.filter((file) => !threads.includes(file)), 'main')),
      ...(await runPass(lesson, threads, 'threads')),
    ];
    results.push({ lesson, mutants, seconds: (Date.now() - started) / 1000 });
  }
  for (const { lesson, step } of steps) {
    const started = Date.now();
    const threads = threadEntries(lesson);
    const own = ownFiles(lesson, step);
    const mutants = [
      ...(await runPass(lesson, own.filter((file) => !threads.includes(file)), 'main', step)),
      ...(await runPass(lesson, own.filter((file) => threads.includes(file)), 'threads', step)),
    ];
    results.push({ lesson, label: step.id, mutants, seconds: (Date.now() - started) / 1000 });
  }
  const { table, unexplained } = tabulate(results, listed);
  console.log(`\n${table}`);
  if (unexplained.length > 0) {
    console.log(`\n${unexplained.length} survivor(s) not in test/mutants/equivalent.txt: kill each with a check, or list it with why it is equivalent:`);
    for (const mutant of unexplained) console.log(`  ${keyOf(mutant)}  | ${mutant.replacement?.split('\n')[0]?.slice(0, 80) ?? ''}`);
  }
  console.log(`\nReports: ${join('.workshop', 'mutation')}/<lesson>.html`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
