/**
 * Lesson 01: a Mutex and a BoundedQueue in shared memory, and the kitchen of cook and eater
 * threads. The checks of each step are in test/support/lesson-01<step>-checks.ts (what they share
 * is in lesson-01-checks.ts); this file loads them in step order, so that verify and
 * `npm run check` find them where they look.
 */
import './support/lesson-01a-checks.ts';
import './support/lesson-01b-checks.ts';
import './support/lesson-01c-checks.ts';
