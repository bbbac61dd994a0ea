/**
 * The little statistics the bench needs: repeat a measurement after a warm-up, and summarise it
 * by its median (one slow run from a busy machine does not move it) or a percentile.
 */

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('Expected at least one value for a median, got none');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The nearest-rank percentile: the smallest value that at least `p` percent of the values do not exceed.
 * With 100 values, p99 is the 99th smallest, so one outlier out of 100 does not count.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('Expected at least one value for a percentile, got none');
  if (!(p > 0 && p <= 100)) throw new RangeError(`Expected \`p\` to be a percentage in (0, 100], got \`${p}\``);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/**
 * Runs `measure` `warmups` times unrecorded (JIT, connections, caches), then `times` times,
 * and returns the recorded results in order.
 *
 * @example
 * const perSecond = median(await repeat(3, 1, async () => 1000 / (await timeOnce())));
 */
export async function repeat(times: number, warmups: number, measure: (round: number) => Promise<number>): Promise<number[]> {
  for (let round = 0; round < warmups; round++) await measure(-1 - round);
  const results: number[] = [];
  for (let round = 0; round < times; round++) results.push(await measure(round));
  return results;
}

/** Milliseconds that `work` took, on the monotonic clock. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A time that worker threads and the main thread agree on (each thread's performance.now() has its own origin). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Resolves after `ms`. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
