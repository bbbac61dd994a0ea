/**
 * Lesson 05: CLIENT UNBLOCK. The checks of each step are in test/support/lesson-05<step>-checks.ts
 * (what they share is in lesson-05.ts); this file loads them in step order, so that verify and
 * `npm run check` find them where they look.
 */
import './support/lesson-05a-checks.ts';
import './support/lesson-05b-checks.ts';
