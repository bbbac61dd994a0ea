/**
 * `npm run race -- 03`: the bench's rows for one lesson, run on your code, beside the reference
 * solution and the baseline, in the same run on the same Redis. Only code that passes the
 * lesson's checks races: the speed of a wrong answer measures nothing.
 *
 *   npm run race -- 02           your washer and dryer against the reference and redis-benchmark
 *   npm run race -- 06 --quick   tiny sizes: a first look in seconds
 *
 * Each side runs up to seven rounds, in turns, while the race has taken under 15 s (a slow lesson
 * gets one round), and its median round counts. Your code runs from lessons/, or from the folder WORKSHOP_TARGET names.
 */
import { parseArgs } from 'node:util';
import { allPassed } from '../checks/check-result.ts';
import { select } from '../manifest.ts';
import { targetDir, targetName, ROOT } from '../target.ts';
import { items } from '../../bench/items/index.ts';
import { benchRedis, measureItem } from '../../bench/measure.ts';
import type { BenchContext } from '../../bench/item.ts';
import type { RowResult } from '../../bench/goal.ts';
import { formatFailures, formatRace, TIE, type RaceRow } from './table.ts';
import { join } from 'node:path';

/** Rounds of each side: up to ROUNDS, while the race has taken less than BUDGET_MS (a slow lesson gets one). */
const ROUNDS = 7;
const BUDGET_MS = 15_000;

/** The round with the median figure; a row that could not be measured in some round says why. */
function median(samples: RowResult[]): RowResult {
  const measured = samples.filter((row) => row.status === 'measured').sort((a, b) => a.figure! - b.figure!);
  if (measured.length < samples.length) return samples.find((row) => row.status !== 'measured')!;
  return measured[Math.floor(measured.length / 2)]!;
}

const USAGE = 'Usage: npm run race -- <lesson> [--quick]   (a lesson, such as 03: its bench rows on your code, the reference and the baseline)';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help || positionals.length !== 1) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  let selection;
  try {
    selection = select(positionals[0]!);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { lesson } = selection;
  if (selection.steps.length !== lesson.steps.length) {
    console.error(`A race is run on a whole lesson: npm run race -- ${lesson.id}`);
    return 2;
  }
  const item = items.find((candidate) => candidate.id === lesson.id);
  if (!item) {
    console.error(`Lesson ${lesson.id} has no bench rows to race.`);
    return 2;
  }
  const target = targetName();
  console.log(`Checking lesson ${lesson.id} in ${target}/ first: only code that passes its checks races.`);
  const { openSession } = await import('../checks/session.ts');
  const session = await openSession({ lessons: [lesson], target });
  let result;
  try {
    result = await session.run();
  } finally {
    await session.close();
  }
  if (!allPassed(result)) {
    const passed = result.checks.filter((check) => check.state === 'passed').length;
    console.error(
      `Lesson ${lesson.id} does not pass its checks yet (${passed} of ${result.checks.length} pass), so it does not race: ` +
        `how fast a wrong answer comes measures nothing. \`npm run verify -- ${lesson.id}\` shows what fails.`,
    );
    return 1;
  }
  console.log(`All ${result.checks.length} checks pass. Racing (${item.title})...`);

  const startedAt = new Date();
  const redis = await benchRedis(startedAt);
  const log = (line: string) => process.stderr.write(`  ${line}\n`);
  const context = (dir: string, name: string): BenchContext => ({ targetDir: dir, targetName: name, quick: values.quick, redisUrl: redis.url, prefix: redis.prefix, log });
  const yours: RowResult[][] = [];
  const reference: RowResult[][] = [];
  try {
    // Rounds in turn, the reference first every other round, so that neither side always runs on a
    // warmer (or busier) machine; the median round of each side counts. A slow lesson gets one round.
    const began = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const sides = [
        { runs: yours, dir: targetDir(), name: target, label: 'your code' },
        { runs: reference, dir: join(ROOT, 'solutions'), name: 'solutions', label: 'the reference' },
      ];
      for (const side of round % 2 === 0 ? sides : sides.reverse()) {
        log(`round ${round + 1}: ${side.label}...`);
        side.runs.push(await measureItem(item, context(side.dir, side.name)));
      }
      if (performance.now() - began > BUDGET_MS) break;
    }
  } finally {
    await redis.close();
  }
  const rows: RaceRow[] = yours[0]!.map((_, index) => {
    const rounds = reference.map((run) => run[index]!).filter((row) => row.status === 'measured');
    const figures = rounds.map((row) => row.figure!);
    return {
      yours: median(yours.map((run) => run[index]!)),
      reference: median(reference.map((run) => run[index]!)),
      spread: figures.length > 1 ? { low: Math.min(...figures), high: Math.max(...figures) } : undefined,
    };
  });
  console.log(`\nRace of lesson ${lesson.id}: ${target}/ against the reference, on ${redis.description}, ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s`);
  console.log(formatRace(rows));
  console.log(
    '\nA ratio above 1x: your code did better than the reference, or than the baseline. A tie: your figure lies within the spread of ' +
      `the reference's own rounds in this race (with one round, between ${TIE.below.toFixed(2)}x and ${TIE.above.toFixed(2)}x), the machine's noise.`,
  );
  for (const line of formatFailures(rows)) console.log(line);
  return rows.some((row) => row.yours.status !== 'measured') ? 1 : 0;
}
