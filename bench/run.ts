/**
 * `npm run bench` measures the reference solutions (`-- --target lessons`: your code) against
 * baselines taken in the same run on the same Redis, prints a table, and writes it as JSON and
 * as an SVG chart. `--quick` runs every row with tiny sizes (for the bench's own test).
 *
 *   npm run bench                       # the solutions: a minute and a half, plus 10 to 15 for verify and watch
 *   npm run bench -- --target lessons   # your code; rows you have not written say "not done yet"
 *   npm run bench -- --only 03,05       # some rows
 *   npm run bench -- --only verify,watch   # cold verify of each lesson, watch save -> verdict of each step
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, targetDir, targetName } from '../workshop/target.ts';
import { drawChart } from './chart.ts';
import type { RowResult } from './goal.ts';
import type { BenchContext } from './item.ts';
import { items } from './items/index.ts';
import { benchRedis, measureItem } from './measure.ts';
import { formatReport, toJson, type BenchReport } from './report.ts';

const USAGE = 'Usage: npm run bench -- [--target lessons|solutions] [--quick] [--only 01,03,verify,watch] [--out folder]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: join(ROOT, '.workshop', 'bench') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // The reference solutions unless told otherwise: the bench is first about what is possible.
  process.env.WORKSHOP_TARGET = values.target ?? process.env.WORKSHOP_TARGET ?? 'solutions';
  const dir = targetDir();
  const chosen = values.only?.split(',').map((id) => id.trim());
  const selected = items.filter((item) => !chosen || chosen.includes(item.id));
  if (selected.length === 0) throw new RangeError(`Expected --only to name some of ${items.map((item) => item.id).join(', ')}, got \`${values.only}\``);

  const startedAt = new Date();
  const redis = await benchRedis(startedAt);
  const log = (line: string) => process.stderr.write(`  ${line}\n`);
  const ctx: BenchContext = { targetDir: dir, targetName: targetName(), quick: values.quick, redisUrl: redis.url, prefix: redis.prefix, log };

  const rows: RowResult[] = [];
  try {
    for (const item of selected) {
      const began = performance.now();
      log(`${item.id} ${item.title}...`);
      rows.push(...(await measureItem(item, ctx)));
      log(`${item.id} took ${((performance.now() - began) / 1000).toFixed(1)} s`);
    }
  } finally {
    await redis.close();
  }

  const report: BenchReport = {
    target: ctx.targetName,
    redis: redis.description,
    machine: `${cpus().length} cores, Node ${process.versions.node}`,
    quick: values.quick,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    rows,
  };
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const json = join(out, 'bench.json');
  const svg = join(out, 'bench.svg');
  writeFileSync(json, toJson(report));
  writeFileSync(svg, drawChart(report));
  console.log(formatReport(report));
  const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));
  console.log(`\nWrote ${shown(json)} and ${shown(svg)} (open the .svg in a browser).`);
  return rows.some((row) => row.status === 'failed') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  // Exit at once: a lesson's code that left a thread or a connection open must not hold the bench.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  },
);
