/**
 * Lesson 04: the status machine and a listener in a worker thread. The checks of each step are in
 * test/support/lesson-04<step>-checks.ts (one file per step, to keep each readable); what they share
 * is in test/support/lesson-04.ts. This file loads them in step order, so that verify and `npm run
 * check` find them where they look: test/<lesson>.test.ts.
 */
import './support/lesson-04a-checks.ts';
import './support/lesson-04b-checks.ts';
import './support/lesson-04b-fault-checks.ts';
