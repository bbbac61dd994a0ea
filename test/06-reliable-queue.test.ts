/**
 * Lesson 06, the capstone: a queue that loses no job when a worker dies. The checks read Redis
 * directly with the key names of jobs.ts (a contract), kill real worker processes with SIGKILL,
 * and load the HTTP front from a second process.
 *
 * The checks of each step are in test/support/lesson-06<step>-checks.ts (one file per step, to keep
 * each readable); what they share is in test/support/lesson-06-checks.ts. This file loads them in
 * step order, so that verify and `npm run check` find them where they look: test/<lesson>.test.ts.
 */
import './support/lesson-06a-checks.ts';
import './support/lesson-06b-checks.ts';
import './support/lesson-06c-checks.ts';
import './support/lesson-06d-checks.ts';
