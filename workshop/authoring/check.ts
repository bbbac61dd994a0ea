/**
 * `npm run check`, for authors: every step's checks fail on its starter and pass on its solution,
 * every known wrong solution (test/mutants) is caught with the message meant for it, every starter
 * has a TODO, every step a hint, and the lesson folders hold no stray files.
 *
 * Each combination (the solutions; solutions with one step's starter files laid over them;
 * solutions with one mutant laid over them) is a folder under .workshop/check and a vitest project
 * of its own, so that one vitest run checks them all. Each gets a schedule seed of its own
 * (workshop/perturb), from `--seed N` or a new one, printed so that a failure can be replayed.
 *
 * `npm run check -- --seeds N` measures instead: each race mutant (test/mutants, `race: true`) with
 * the checks' fault injection off, N times on seeds 1..N and N times with no perturbation at all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startVitest, type Reporter, type TestModule } from 'vitest/node';
import type { Alternative } from '../../test/alternatives/index.ts';
import type { Mutant } from '../../test/mutants/index.ts';
import { describeError } from '../checks/check-result.ts';
import { lessons, findStep, type LessonInfo, type StepInfo } from '../manifest.ts';
import { provideRedis } from '../provision/provision.ts';
import { ROOT } from '../target.ts';
import { patchedFiles, patchPath } from './mutant-patch.ts';
import { newSeed } from '../perturb/schedule.ts';
import { layOver, layPatch, listFiles } from './overlay.ts';

interface Combination {
  name: string;
  lesson: LessonInfo;
  step?: StepInfo;
  mutant?: Mutant;
  alternative?: Alternative;
  /** Folder the tests import from, relative to the project. */
  target: string;
  /** The schedule seed its threads run on (`off`: no perturbation). */
  seed: number | 'off';
  /** True when the checks' own fault injection is off (`--seeds`). */
  unwidened?: boolean;
}

// A folder of its own per run, so that two runs at once do not pull files from under each other.
const WORK = join(ROOT, '.workshop', 'check', String(process.pid));
const problems: string[] = [];
const problem = (text: string) => problems.push(text);

/** Folders, files, TODOs and hints: what can be checked without running anything. */
function checkLayout(): void {
  for (const lesson of lessons) {
    const starterDir = join(ROOT, 'lessons', lesson.slug);
    const solutionDir = join(ROOT, 'solutions', lesson.slug);
    if (!existsSync(starterDir) || !existsSync(solutionDir)) {
      problem(`lesson ${lesson.id}: lessons/${lesson.slug} and solutions/${lesson.slug} must both exist`);
      continue;
    }
    if (!existsSync(join(ROOT, 'test', `${lesson.slug}.test.ts`))) problem(`lesson ${lesson.id}: test/${lesson.slug}.test.ts is missing`);
    if (!existsSync(join(starterDir, 'README.md'))) problem(`lesson ${lesson.id}: lessons/${lesson.slug}/README.md is missing`);
    const stepFiles = lesson.steps.flatMap((step) => step.files);
    const allowed = new Set(['README.md', ...stepFiles, ...(lesson.extras ?? [])]);
    for (const [label, dir] of [['lessons', starterDir], ['solutions', solutionDir]] as const) {
      for (const file of listFiles(dir)) {
        if (!allowed.has(file)) problem(`${label}/${lesson.slug}/${file} is not a step file, an extra or README.md in the manifest (stray file?)`);
      }
      for (const file of [...stepFiles, ...(lesson.extras ?? [])]) {
        if (!existsSync(join(dir, file))) problem(`${label}/${lesson.slug}/${file} is listed in the manifest but missing`);
      }
    }
    for (const step of lesson.steps) {
      const todo = step.files.some((file) => existsSync(join(starterDir, file)) && readFileSync(join(starterDir, file), 'utf8').includes('// TODO:'));
      if (!todo) problem(`step ${step.id}: no starter file has a "// TODO:" for the learner`);
    }
    for (const file of [...stepFiles, ...(lesson.extras ?? [])]) {
      const path = join(solutionDir, file);
      if (existsSync(path) && /\bTODO\b/.test(readFileSync(path, 'utf8'))) problem(`solutions/${lesson.slug}/${file} still says TODO`);
    }
  }
}

/**
 * The overlays of one kind (`mutants` or `alternatives`): each lesson's list in
 * test/<kind>/<slug>/<kind>.ts, checked against what lies beside it (a patch per mutant, a folder
 * per alternative) and the manifest. `source` is the mutant's patch file or the alternative's folder.
 */
async function loadOverlays<T extends { name: string; step: string }>(kind: 'mutants' | 'alternatives'): Promise<Array<T & { lesson: LessonInfo; source: string }>> {
  const found: Array<T & { lesson: LessonInfo; source: string }> = [];
  const base = join(ROOT, 'test', kind);
  const one = kind === 'mutants' ? 'mutant' : 'alternative';
  const patches = kind === 'mutants';
  for (const lesson of lessons) {
    const list = join(base, lesson.slug, `${kind}.ts`);
    if (!existsSync(list)) continue;
    const listed = ((await import(pathToFileURL(list).href)) as Record<string, T[]>)[kind] ?? [];
    const entries = readdirSync(join(base, lesson.slug), { withFileTypes: true });
    const present = patches
      ? entries.filter((entry) => entry.isFile() && entry.name.endsWith('.patch')).map((entry) => entry.name.slice(0, -'.patch'.length))
      : entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    for (const name of present) {
      if (!listed.some((item) => item.name === name)) problem(`test/${kind}/${lesson.slug}/${name}${patches ? '.patch' : ''} is not listed in its ${kind}.ts`);
    }
    if (patches) {
      for (const entry of entries.filter((entry) => entry.isDirectory())) {
        problem(`test/mutants/${lesson.slug}/${entry.name}/ is a folder: a mutant is a patch (node workshop/authoring/mutant-patch.ts make)`);
      }
    }
    for (const item of listed) {
      const step = findStep(item.step);
      if (step?.lesson !== lesson) {
        problem(`${one} ${item.name}: step ${item.step} is not a step of lesson ${lesson.id}`);
        continue;
      }
      const source = patches ? patchPath(lesson.slug, item.name) : join(base, lesson.slug, item.name);
      if (!existsSync(source)) {
        problem(`${one} ${item.name}: ${relative(ROOT, source)} is missing`);
        continue;
      }
      const files = patches ? patchedFiles(readFileSync(source, 'utf8')) : listFiles(source);
      for (const file of files) {
        if (!lesson.steps.some((candidate) => candidate.files.includes(file))) problem(`${one} ${item.name}: ${file} is not a file of lesson ${lesson.id}`);
      }
      found.push({ ...item, lesson, source });
    }
  }
  return found;
}

/** A copy of the lesson's solution with one mutant's patch applied; undefined (and a problem) when it no longer applies. */
function buildMutant(mutant: Mutant & { lesson: LessonInfo; source: string }): string | undefined {
  const folder = join(WORK, `mutant-${mutant.name}`);
  try {
    layPatch(folder, mutant.lesson.slug, readFileSync(mutant.source, 'utf8'), mutant.name);
    return relative(ROOT, folder);
  } catch (error) {
    problem((error as Error).message);
    return undefined;
  }
}

/** A copy of the lesson's solution with `overlay`'s files laid over it. */
function buildFolder(name: string, lesson: LessonInfo, overlay: string, files?: string[]): string {
  layOver(join(WORK, name), lesson.slug, overlay, files);
  return relative(ROOT, join(WORK, name));
}

function writeConfig(combinations: Combination[]): string {
  const projects = combinations.map((combination) => ({
    extends: true,
    resolve: { alias: [{ find: '#target/', replacement: `${join(ROOT, combination.target)}/` }] },
    test: {
      name: combination.name,
      include: [`test/${combination.lesson.slug}.test.ts`],
      // For code that looks for the target outside Vite's aliases (worker threads, targetDir()).
      env: {
        WORKSHOP_TARGET: combination.target,
        WORKSHOP_SEED: String(combination.seed),
        ...(combination.mutant ? { WORKSHOP_FIRST_FAILURE_ONLY: '1' } : {}),
        ...(combination.unwidened ? { WORKSHOP_WIDEN: 'off' } : {}),
      },
      ...(combination.step ? { testNamePattern: `^${combination.step.id} ` } : {}),
    },
  }));
  const path = join(WORK, 'vitest.config.ts');
  writeFileSync(
    path,
    [
      '// Generated by workshop/authoring/check.ts for one run; do not edit.',
      "import { defineConfig } from 'vitest/config';",
      'export default defineConfig({',
      `  root: ${JSON.stringify(ROOT)},`,
      '  test: {',
      "    globalSetup: ['test/support/global-setup.ts'],",
      "    setupFiles: ['test/support/setup.ts'],",
      "    pool: 'forks',",
      // Most of a wrong solution's time is spent waiting (for a timeout, a blocked client), not
      // computing: two test files at a time keep both cores busy. The checks allow for the load.
      '    maxWorkers: 2,',
      '    testTimeout: 10_000,',
      '    hookTimeout: 10_000,',
      `    projects: ${JSON.stringify(projects, null, 2).replace(/\n/g, '\n    ')},`,
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  return path;
}

function judge(combination: Combination, module: TestModule | undefined): string {
  if (!module) {
    // Vitest never ran its file (a crash, node_modules changing under the run): nothing was checked.
    problem(`${combination.name} did not run: nothing of it was checked`);
    return 'did not run';
  }
  const loadErrors = module.errors();
  const tests = [...module.children.allTests()].filter((test) => test.result().state !== 'skipped');
  const failed = tests.filter((test) => test.result().state === 'failed');
  const passed = tests.filter((test) => test.result().state === 'passed');
  if (!combination.step) {
    if (loadErrors.length > 0) problem(`solutions of ${combination.lesson.id} could not be loaded: ${loadErrors[0]?.message}`);
    for (const test of failed) problem(`solution of ${test.fullName} fails: ${test.result().errors?.[0]?.message.split('\n')[0]}`);
    return `${passed.length}/${tests.length} pass`;
  }
  if (combination.alternative) {
    const alternative = combination.alternative;
    if (loadErrors.length > 0) problem(`alternative ${combination.name} cannot be loaded: ${loadErrors[0]?.message.split('\n')[0]}`);
    if (tests.length === 0) problem(`alternative ${combination.name}: no check of ${alternative.step} ran`);
    for (const test of failed) {
      problem(`alternative ${combination.name} (${alternative.differs}) is correct but fails "${test.name}": ${test.result().errors?.[0]?.message.split('\n')[0]}`);
    }
    return `${passed.length}/${tests.length} pass`;
  }
  if (!combination.mutant) {
    if (loadErrors.length > 0) return `starter cannot be loaded (${loadErrors[0]?.message.split('\n')[0]}): every check fails`;
    if (tests.length === 0) problem(`step ${combination.step.id} has no checks`);
    for (const test of passed) problem(`starter of ${combination.step.id} passes "${test.name}": a check a starter passes teaches nothing`);
    return `${failed.length}/${tests.length} fail`;
  }
  const mutant = combination.mutant;
  if (loadErrors.length > 0) {
    problem(`mutant ${mutant.name} cannot be loaded: ${loadErrors[0]?.message.split('\n')[0]}`);
    return 'cannot be loaded';
  }
  const first = failed[0];
  if (!first) {
    problem(`mutant ${mutant.name} (${mutant.mistake}) passes every check of ${mutant.step}`);
    return 'NOT caught';
  }
  const error = first.result().errors?.[0];
  const message = error?.message ?? '';
  if (!mutant.expect.test(message)) {
    problem(`mutant ${mutant.name} is caught by "${first.name}", but its message does not match ${mutant.expect}:\n    ${message.split('\n')[0]}`);
  }
  // What the learner reads (verify's report shows the same text): nothing in it may be the harness's.
  const target = join(ROOT, combination.target);
  // A stack frame in the learner's own code (what their crashed server printed) is theirs to read.
  const shown = (error ? describeError(error, target, false) : '')
    .split('\n')
    .filter((line) => !(line.includes(target) && /^\s*at /.test(line)))
    .join('\n');
  for (const [what, pattern] of NOISE) {
    const found = pattern.exec(shown);
    if (found) problem(`mutant ${mutant.name}'s message shows ${what}, which the learner cannot act on: "${found[0].trim()}"`);
  }
  return `caught by "${first.name}": ${message.split('\n')[0]}`;
}

/** What must never reach a learner in a check's message: the harness's insides. */
const NOISE: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack frame', /^\s*at .*\(?(?:node:|file:|\/).*:\d+:\d+\)?$/m],
  ['the test framework', /node_modules|@vitest|\bvitest\b|AssertionError|Object\.is equality/],
  // eslint-disable-next-line no-control-regex -- a colour code starts with ESC
  ['a colour code', /\u001b\[/],
  ['one of the harness\'s own processes', /Child process \d+ was still running: .*(?:test\/support|vitest|esbuild|tsx)/],
  ['an internal error of the checks', /TypeError: Cannot read|is not a function|undefined is not/],
];

/** `npm run check -- 03 05a`: only the combinations of those lessons or steps (the layout always). */
function selected(args: string[]): (id: string) => boolean {
  const wanted = args.filter((arg, i) => !arg.startsWith('-') && !/^--seeds?$/.test(args[i - 1] ?? ''));
  for (const id of wanted) {
    if (!lessons.some((lesson) => lesson.id === id || lesson.steps.some((step) => step.id === id))) {
      throw new Error(`${id} is neither a lesson (01) nor a step (01a) of the manifest`);
    }
  }
  return (id) => wanted.length === 0 || wanted.some((prefix) => id.startsWith(prefix) || prefix.startsWith(id));
}

/** Runs every combination in one vitest run, against one Redis; the test modules it ran. */
async function runAll(combinations: Combination[]): Promise<readonly TestModule[]> {
  // One server for every project of the run, instead of one each.
  const redis = await provideRedis();
  process.env.REDIS_URL = redis.url;
  let modules: readonly TestModule[] = [];
  const collector: Reporter = {
    onTestRunEnd(testModules) {
      modules = testModules;
    },
  };
  // A starter or mutant that blocks a test thread for good (a lock that never yields) would stop
  // vitest's own time limits from firing; this deadline ends the run all the same.
  const deadline = setTimeout(() => {
    console.error('npm run check did not finish in 20 minutes: a combination blocks its thread. Run its lesson with verify to see which.');
    process.exit(1);
  }, 20 * 60_000);
  deadline.unref();
  try {
    const vitest = await startVitest('test', [], { config: writeConfig(combinations), watch: false, reporters: [collector], silent: true });
    await vitest.close();
  } finally {
    clearTimeout(deadline);
    await redis.stop();
    rmSync(WORK, { recursive: true, force: true });
  }

  return modules;
}

/**
 * `--seeds N`: how many runs the seeded schedules need to find each race on their own (the checks'
 * fault injection off), beside as many runs with no perturbation, where only luck finds it.
 */
async function measureSeeds(races: Array<Mutant & { lesson: LessonInfo; source: string }>, count: number, started: number): Promise<number> {
  const combinations: Combination[] = [];
  for (const mutant of races) {
    const target = buildMutant(mutant);
    if (!target) continue;
    const step = findStep(mutant.step)?.step;
    for (let seed = 1; seed <= count; seed++) {
      combinations.push({ name: `${mutant.name} seed ${seed}`, lesson: mutant.lesson, step, mutant, target, seed, unwidened: true });
      combinations.push({ name: `${mutant.name} unperturbed ${seed}`, lesson: mutant.lesson, step, mutant, target, seed: 'off', unwidened: true });
    }
  }
  const modules = await runAll(combinations);
  for (const mutant of races) {
    const line = [`${mutant.step} ${mutant.name} (no fault injection, ${count} runs each):`];
    for (const perturbed of [true, false]) {
      const runs = combinations
        .filter((combination) => combination.mutant === mutant && (combination.seed !== 'off') === perturbed)
        .map((combination) => ({ combination, module: modules.find((candidate) => candidate.project.name === combination.name) }));
      // Caught: failed with the message meant for this mistake (not some other failure).
      const caught = runs.filter(({ module }) =>
        [...(module?.children.allTests() ?? [])].some((test) => test.result().state === 'failed' && mutant.expect.test(test.result().errors?.[0]?.message ?? '')),
      );
      const seconds = runs.reduce((sum, { module }) => sum + (module?.diagnostic().duration ?? 0), 0) / 1000;
      const first = caught[0]?.combination.seed;
      line.push(
        `  ${perturbed ? 'seeded schedules' : 'no perturbation '}: caught in ${caught.length} of ${runs.length}` +
          (perturbed && first !== undefined ? `, first by seed ${first}` : '') +
          `; ${(seconds / Math.max(1, runs.length)).toFixed(1)} s a run`,
      );
    }
    console.log(line.join('\n'));
  }
  rmSync(WORK, { recursive: true, force: true });
  console.log(`seeds took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/** The whole number after `flag` in `args`, if the flag is there. */
function option(args: string[], flag: string): number | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${flag} takes a whole number, such as ${flag} 20`);
  return value;
}

async function main(args: string[]): Promise<number> {
  const started = Date.now();
  const wanted = selected(args);
  const seeds = option(args, '--seeds');
  const firstSeed = option(args, '--seed') ?? newSeed();
  let nextSeed = firstSeed;
  checkLayout();
  const mutants = await loadOverlays<Mutant>('mutants');
  const alternatives = await loadOverlays<Alternative>('alternatives');
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  const combinations: Combination[] = [];
  if (seeds !== undefined) return measureSeeds(mutants.filter((mutant) => mutant.race && wanted(mutant.step)), seeds, started);
  for (const lesson of lessons) {
    if (!existsSync(join(ROOT, 'solutions', lesson.slug)) || !existsSync(join(ROOT, 'test', `${lesson.slug}.test.ts`))) continue;
    if (!wanted(lesson.id)) continue;
    combinations.push({ name: `${lesson.id} solutions`, lesson, target: 'solutions', seed: nextSeed++ });
    for (const step of lesson.steps) {
      if (!wanted(step.id)) continue;
      const target = buildFolder(`starter-${step.id}`, lesson, join(ROOT, 'lessons', lesson.slug), step.files);
      combinations.push({ name: `${step.id} starter`, lesson, step, target, seed: nextSeed++ });
    }
  }
  for (const mutant of mutants) {
    if (!wanted(mutant.step)) continue;
    const target = buildMutant(mutant);
    if (!target) continue;
    combinations.push({ name: `${mutant.step} ${mutant.name}`, lesson: mutant.lesson, step: findStep(mutant.step)?.step, mutant, target, seed: nextSeed++ });
  }
  // Each run of an alternative is a project of its own over the same folder.
  for (const alternative of alternatives) {
    if (!wanted(alternative.step)) continue;
    const target = buildFolder(`alternative-${alternative.name}`, alternative.lesson, alternative.source);
    for (let run = 1; run <= (alternative.runs ?? 3); run++) {
      const name = `${alternative.step} ${alternative.name} #${run}`;
      combinations.push({ name, lesson: alternative.lesson, step: findStep(alternative.step)?.step, alternative, target, seed: nextSeed++ });
    }
  }

  const modules = await runAll(combinations);
  const layoutProblems = problems.length;
  const width = Math.max(...combinations.map((combination) => combination.name.length));
  let good = 0;
  for (const combination of combinations) {
    const module = modules.find((candidate) => candidate.project.name === combination.name);
    const before = problems.length;
    const verdict = judge(combination, module);
    const ok = problems.length === before;
    if (ok) good++;
    const seconds = module ? `${(module.diagnostic().duration / 1000).toFixed(1)} s`.padStart(7) : '      -';
    console.log(`${ok ? '✓' : '✗'} ${combination.name.padEnd(width)} ${seconds}  ${verdict}${ok ? '' : ` (seed ${combination.seed})`}`);
  }
  console.log('');
  for (const text of problems) console.log(`✗ ${text}`);
  console.log(`check took ${((Date.now() - started) / 1000).toFixed(1)} s; ${layoutProblems} problem(s) in the layout; schedules from seed ${firstSeed} (--seed ${firstSeed} replays them)`);
  console.log(`${good + (layoutProblems === 0 ? 1 : 0)} passed, ${combinations.length - good + (layoutProblems > 0 ? 1 : 0)} failed`);
  return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
