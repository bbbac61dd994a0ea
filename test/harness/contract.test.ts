/**
 * The contracts of workshop/contract/steps.ts hold: what they name exists in the solutions and the
 * starters, the READMEs tell each option, each default is the solution's, each edge and rejection
 * has its check, and every step's suite runs the generic checks its contract gives it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';

const read = (...parts: string[]) => readFileSync(join(ROOT, ...parts), 'utf8');
/** Every check's source: the lesson test files and their support files. */
const checkSources = [
  ...readdirSync(join(ROOT, 'test')).filter((file) => file.endsWith('.test.ts')).map((file) => read('test', file)),
  ...(readdirSync(join(ROOT, 'test', 'support'), { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).map((file) => read('test', 'support', file)),
].join('\n');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A default as source writes it: 'dishes', 30, 30_000, 65536. */
const literal = (value: string | number | boolean) =>
  typeof value === 'string' ? `['"]${escape(value)}['"]` : typeof value === 'number' ? String(value).replace(/\B(?=(\d{3})+$)/g, '_?') : String(value);

/** `name = value` (a parameter or a destructured option), or `@default value` on the doc line above `name?:`. */
function declaresDefault(source: string, name: string, value: string | number | boolean): boolean {
  const given = literal(value);
  return new RegExp(`\\b${name} = ${given}(?![\\d_])`).test(source) || new RegExp(`@default ${given}(?![\\d_])[^\\n]*\\*/\\s*\\n\\s*${name}\\?:`).test(source);
}

const steps = lessons.flatMap((lesson) => lesson.steps.map((step) => ({ lesson, step })));

describe.each(steps.map(({ lesson, step }) => [step.id, lesson, step] as const))('%s contract', (id, lesson, step) => {
  const sources = (folder: string) => step.files.map((file) => read(folder, lesson.slug, file)).join('\n');

  it('names exports that the solution and the starter both declare', () => {
    for (const entry of step.contract.exports) {
      const declared = new RegExp(`export (async )?(function|class|const) ${entry.name}\\b`);
      expect(declared.test(sources('solutions')), `solutions/${lesson.slug} declares ${entry.name}`).toBe(true);
      expect(declared.test(sources('lessons')), `the starter in lessons/${lesson.slug} declares ${entry.name}`).toBe(true);
    }
  });

  it('has each option in the README and the solution, with the solution\'s default', () => {
    const readme = read('lessons', lesson.slug, 'README.md');
    const solution = sources('solutions');
    for (const option of step.contract.exports.flatMap((entry) => entry.options ?? [])) {
      expect(new RegExp(`\\b${option.name}\\b`).test(readme), `lessons/${lesson.slug}/README.md tells ${option.name}`).toBe(true);
      expect(new RegExp(`\\b${option.name}\\b`).test(solution), `the solution takes ${option.name}`).toBe(true);
      if (option.default !== undefined) expect(declaresDefault(solution, option.name, option.default), `the solution's default for ${option.name} is ${String(option.default)}`).toBe(true);
    }
  });

  it('has a check for each edge and each promise that must reject', () => {
    for (const named of [...(step.contract.edges ?? []), ...(step.contract.rejects ?? [])]) {
      expect(checkSources.includes(named.check), `a check named "${named.check}…" (for ${named.what})`).toBe(true);
    }
  });

  it('gets the generic checks: its suite calls contractChecks with its probe', () => {
    expect(checkSources.includes(`contractChecks('${id}',`), `contractChecks('${id}', …) in the step's checks`).toBe(true);
  });
});
