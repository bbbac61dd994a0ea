/**
 * The facts about a check stopped at its time limit, kept from the moment `setup.ts` sees the
 * timeout (threads and processes, before they are ended) until the Redis fixture adds what Redis
 * still holds and writes the message.
 */
import type { HangFacts } from '../../workshop/checks/hang.ts';

const hangs = new WeakMap<object, HangFacts>();

export function recordHang(task: object, facts: HangFacts): void {
  hangs.set(task, facts);
}

/** The facts of `task`'s hang, or undefined when it did not hang. */
export function hangOf(task: object): HangFacts | undefined {
  return hangs.get(task);
}
