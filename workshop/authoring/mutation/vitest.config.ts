/**
 * The lessons' checks as StrykerJS runs them for each mutant: the solutions as the target, only
 * the lessons asked for (WORKSHOP_MUTATION_LESSONS), only the checks of the steps asked for when
 * a step's files are mutated (WORKSHOP_MUTATION_STEPS), one plain project.
 */
import { defineConfig } from 'vitest/config';
import { ROOT, targetDir } from '../../target.ts';

process.env.WORKSHOP_TARGET = 'solutions';
const target = targetDir();
const lessons = process.env.WORKSHOP_MUTATION_LESSONS?.split(',').filter(Boolean) ?? [];
const steps = process.env.WORKSHOP_MUTATION_STEPS?.split(',').filter(Boolean) ?? [];

export default defineConfig({
  root: ROOT,
  resolve: { alias: [{ find: /^#target\//, replacement: `${target}/` }] },
  test: {
    // A check's full name starts with its step's id (step() in test/support/workshop-test.ts).
    ...(steps.length > 0 ? { testNamePattern: new RegExp(`^(${steps.join('|')}) `) } : {}),
    include: lessons.length > 0 ? lessons.map((slug) => `test/${slug}.test.ts`) : ['test/[0-9][0-9]-*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    testTimeout: 10_000,
    hookTimeout: 10_000,
    teardownTimeout: 5_000,
    env: { WORKSHOP_TARGET: 'solutions' },
  },
});
