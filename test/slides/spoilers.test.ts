/**
 * A deck shows the shape of a pattern, never the answer to a step: no code block of a lesson's deck
 * holds three lines in a row of that lesson's solution (lines compared without spaces and comments;
 * lines such as `}` or `for (;;) {` say nothing and are left out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';

const RUN = 3;

/** The lines that carry meaning, normalised. */
function meaningful(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').replace(/\s+/g, ''))
    .filter((line) => line.length > 12 && !/^(import|export\{|\}|\/\*|\*)/.test(line));
}

function runs(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + RUN <= lines.length; i++) out.add(lines.slice(i, i + RUN).join('\n'));
  return out;
}

function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)\b[^\n]*\n([\s\S]*?)^```/gm)].map((match) => match[1]!);
}

describe('the decks', () => {
  for (const lesson of lessons) {
    it(`${lesson.id}: no code block gives away ${RUN} lines in a row of the lesson's solution`, () => {
      const folder = join(ROOT, 'solutions', lesson.slug);
      const solution = new Set<string>();
      for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
        for (const run of runs(meaningful(readFileSync(join(folder, file), 'utf8')))) solution.add(run);
      }
      const deck = readFileSync(join(ROOT, 'slides', `${lesson.slug}.md`), 'utf8');
      const given = codeBlocks(deck).flatMap((block) => [...runs(meaningful(block))].filter((run) => solution.has(run)));
      expect(given, `slides/${lesson.slug}.md shows lines of the solution`).toEqual([]);
    });
  }
});
