import { defineConfig } from 'vitest/config';
import { targetDir } from './workshop/target.ts';

// Tests import lesson code as `#target/NN-slug/file.ts`; WORKSHOP_TARGET decides which folder that is.
const target = targetDir();

export default defineConfig({
  resolve: {
    alias: [{ find: /^#target\//, replacement: `${target}/` }],
  },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    // Transformed modules kept between runs (keyed by their content): verify starts about 0.5 s sooner.
    fsModuleCache: true,
    testTimeout: 10_000,
    hookTimeout: 10_000,
    teardownTimeout: 5_000,
    projects: [
      { extends: true, test: { name: 'lessons', include: ['test/[0-9][0-9]-*.test.ts'] } },
      // The harness's tests start whole verify runs; three at a time is plenty on two cores.
      { extends: true, test: { name: 'harness', include: ['test/harness/**/*.test.ts'], maxConcurrency: 3 } },
      // The slides need no Redis and no lesson code: no shared setup.
      { test: { name: 'slides', include: ['test/slides/**/*.test.ts'], pool: 'forks', testTimeout: 30_000, hookTimeout: 30_000 } },
      { extends: true, test: { name: 'bench', include: ['test/bench/**/*.test.ts'] } },
      // One file at a time: they start servers, browsers and whole verify runs, and time some of it.
      { test: { name: 'classroom', include: ['test/classroom/**/*.test.ts'], pool: 'forks', fileParallelism: false, testTimeout: 30_000, hookTimeout: 30_000 } },
    ],
  },
});
