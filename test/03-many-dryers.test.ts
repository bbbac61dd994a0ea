/**
 * Lesson 03: many dryers, and a throttled worker. The checks of each step are in
 * test/support/lesson-03<step>-checks.ts (what they share is in lesson-03.ts); this file loads them
 * in step order, so that verify and `npm run check` find them where they look.
 */
import './support/lesson-03a-checks.ts';
import './support/lesson-03b-checks.ts';
