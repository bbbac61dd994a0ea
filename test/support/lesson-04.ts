/**
 * What the lesson-04 checks share (test/04-pubsub-status.test.ts loads the checks of each step from
 * test/support/lesson-04<step>-checks.ts): the statuses by name, and a call described.
 */
const NAMES = ['INIT', 'READY', 'RUNNING', 'PAUSED', 'END'];

/** A status as the README names it, or what came instead. */
export const name = (status: unknown) => (typeof status === 'number' && NAMES[status]) || `${String(status)} (${typeof status})`;

/** Runs `run` and describes what came of it: the error it threw, or the value it returned. */
export function attempt(run: () => unknown): { error?: unknown; outcome: string } {
  try {
    const value = run();
    return { outcome: `return ${typeof value === 'number' ? name(value) : typeof value === 'object' ? 'an object' : String(value)}` };
  } catch (error) {
    return { error, outcome: error instanceof Error ? `throw ${error.name}: ${error.message}` : `throw ${String(error)}` };
  }
}
