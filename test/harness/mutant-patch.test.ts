/**
 * Mutants are patches against the reference: each applies to today's solutions, a patch made from
 * an edited copy gives that copy back, and one that no longer fits says the reference moved.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePatch, mutantFiles, patchedFiles } from '../../workshop/authoring/mutant-patch.ts';
import { lessons } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';

const scratch = mkdtempSync(join(tmpdir(), 'mutant-patch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const QUEUE = ['export function put(queue: string[], item: string) {', '  queue.push(item);', '  return queue.length;', '}', '', 'export const CAPACITY = 4;', ''].join('\n');

describe('mutant patches', () => {
  it('every mutant of every lesson applies to today\'s solution and changes a file of its lesson', () => {
    let count = 0;
    for (const lesson of lessons) {
      const dir = join(ROOT, 'test', 'mutants', lesson.slug);
      for (const name of readdirSync(dir).filter((file) => file.endsWith('.patch'))) {
        const patch = readFileSync(join(dir, name), 'utf8');
        const files = mutantFiles(patch, join(ROOT, 'solutions', lesson.slug), name);
        for (const [file, text] of files) {
          expect(lesson.steps.flatMap((step) => step.files), `${name} changes ${file}`).toContain(file);
          expect(text, `${name} leaves ${file} as it was`).not.toBe(readFileSync(join(ROOT, 'solutions', lesson.slug, file), 'utf8'));
        }
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
  });

  it('makes a patch of the lines an edited copy changes, and applies it back to the same text', () => {
    const solution = join(scratch, 'solution');
    const edited = join(scratch, 'edited');
    mkdirSync(solution, { recursive: true });
    mkdirSync(edited, { recursive: true });
    writeFileSync(join(solution, 'queue.ts'), QUEUE);
    writeFileSync(join(solution, 'other.ts'), 'export const same = 1;\n');
    writeFileSync(join(edited, 'queue.ts'), QUEUE.replace('queue.push(item)', 'queue.unshift(item)'));
    writeFileSync(join(edited, 'other.ts'), 'export const same = 1;\n');
    const patch = makePatch(solution, edited);
    expect(patchedFiles(patch)).toEqual(['queue.ts']);
    expect(patch).toContain('-  queue.push(item);\n+  queue.unshift(item);');
    expect(mutantFiles(patch, solution, 'unshift').get('queue.ts')).toBe(readFileSync(join(edited, 'queue.ts'), 'utf8'));
  });

  it('fails at once, naming the file, when the reference moved under a patch', () => {
    const solution = join(scratch, 'moved');
    const edited = join(scratch, 'moved-edit');
    mkdirSync(solution, { recursive: true });
    mkdirSync(edited, { recursive: true });
    writeFileSync(join(solution, 'queue.ts'), QUEUE);
    writeFileSync(join(edited, 'queue.ts'), QUEUE.replace('queue.push(item)', 'queue.unshift(item)'));
    const patch = makePatch(solution, edited);
    writeFileSync(join(solution, 'queue.ts'), QUEUE.replace('queue.push(item);', 'queue.push(item.trim());'));
    expect(() => mutantFiles(patch, solution, 'unshift')).toThrow(/mutant unshift: its patch no longer applies to .*queue\.ts \(near line 1\): the reference moved/);
  });
});
