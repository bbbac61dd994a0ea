/**
 * Waiting for a state, never for luck: the helpers the lessons' checks share to await a promise or a
 * condition with a limit, and to fail with the check's own words when the limit passes.
 */

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it, for a check to hand to the code under test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Awaits `promise`, or fails after `ms` with what `explain` says instead of waiting out the time limit. */
export async function within<T>(promise: Promise<T>, ms: number, explain: () => string | Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const outcome = await Promise.race([promise.then((value) => ({ value })), late]).finally(() => clearTimeout(timer));
  if (outcome === 'late') throw new Error(await explain());
  return outcome.value;
}

/** Waits until `check` holds; fails with `explain()` after `ms`, or at once when `abort()` says why. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  explain: () => string | Promise<string>,
  abort?: () => string | undefined | Promise<string | undefined>,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    const why = await abort?.();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(await explain());
    await pause(5);
  }
}
