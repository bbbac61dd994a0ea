/** Lesson 01, step 01c. Loaded by test/01-bounded-queue.test.ts. */
import { beforeAll, it } from 'vitest';
import type { KitchenModule, KitchenOptions, KitchenReport } from './lesson-01-checks.ts';
import { liveThreads, threadsStarted } from './threads.ts';
import { expect, step } from './workshop-test.ts';
step('01c', () => {
  let runKitchen: KitchenModule['runKitchen'];
  beforeAll(async () => {
    ({ runKitchen } = await import('#target/01-bounded-queue/kitchen.ts'));
  });
  const options = { cooks: 3, eaters: 2, dishesPerCook: 200, capacity: 10 };
  const LIMIT_MS = 5_000;

  /** runKitchen(), stopped after LIMIT_MS with the threads still running named. */
  async function kitchen(run: KitchenOptions): Promise<KitchenReport> {
    const running = runKitchen(run);
    running.catch(() => {}); // if the deadline wins, the threads are ended and this rejects: expected
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const live = liveThreads();
        const why =
          live.length > 0
            ? `and ${live.length} worker thread(s) were still running (${live.map((t) => t.file).join(', ')}). ` +
              'An eater that never takes a poison pill waits forever: after every cook is done, put one poison pill per eater.'
            : "although every worker thread had ended: resolve once each worker has emitted 'exit'.";
        reject(new Error(`runKitchen() had not resolved after ${LIMIT_MS / 1000} s, ${why}`));
      }, LIMIT_MS);
    });
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
  /** A run, and what the thread list showed right after runKitchen() resolved. */
  async function observed(run: KitchenOptions): Promise<{ report: KitchenReport; started: number; live: ReturnType<typeof liveThreads> }> {
    const before = threadsStarted();
    const report = await kitchen(run);
    return { report, live: liveThreads(), started: threadsStarted() - before };
  }
  // The first three checks look at one run, from different sides.
  let shared: ReturnType<typeof observed> | undefined;
  const sharedRun = async () => (await (shared ??= observed(options))).report;

  it('runKitchen() feeds every dish to exactly one eater (3 cooks × 200 dishes, 2 eaters, capacity 10)', async () => {
    const { eaten } = await sharedRun();
    const count = new Map<string, number>();
    for (const dish of eaten) count.set(`${dish.cook}:${dish.seq}`, (count.get(`${dish.cook}:${dish.seq}`) ?? 0) + 1);
    const made = Array.from({ length: options.cooks * options.dishesPerCook }, (_, i) => `${Math.floor(i / options.dishesPerCook)}:${i % options.dishesPerCook}`);
    const strange = [...count.keys()].filter((key) => !made.includes(key));
    const missing = made.filter((key) => !count.has(key));
    const twice = [...count].filter(([, n]) => n > 1).map(([key]) => key);
    const show = (keys: string[]) => keys.slice(0, 3).map((key) => `cook ${key.replace(':', "'s dish ")}`).join(', ');
    expect(strange, `the report lists dishes that no cook made (${strange.slice(0, 3).join(', ')} as cook:seq): a poison pill (-1) is not a dish; stop at it without recording it`).toEqual([]);
    expect(missing.length, `${missing.length} of ${made.length} dishes were never eaten (${show(missing)}): every eater should keep taking until it takes a poison pill, and the pills go in only after every cook is done`).toBe(0);
    expect(twice.length, `${twice.length} dishes were eaten twice (${show(twice)}): two eaters took the same item; the queue must change its head and size under the lock`).toBe(0);
    const eaters = new Set(eaten.map((dish) => dish.eater));
    expect([...eaters].every((eater) => Number.isInteger(eater) && eater >= 0 && eater < options.eaters), `eaters should be numbered 0 to ${options.eaters - 1}, got ${[...eaters].join(', ')}`).toBe(true);
  });

  it("each eater gets any one cook's dishes in the order the cook made them", async () => {
    const { eaten } = await sharedRun();
    const last = new Map<string, number>();
    for (const { eater, cook, seq } of eaten.filter((dish) => dish.seq >= 0)) {
      const before = last.get(`${eater}:${cook}`) ?? -1;
      expect(seq > before, `eater ${eater} ate cook ${cook}'s dish ${seq} after its dish ${before}: a queue gives items back in the order they went in, so list each eater's dishes in the order it took them`).toBe(true);
      last.set(`${eater}:${cook}`, seq);
    }
  });

  it('the backlog rises above 0 but never above the capacity', async () => {
    const { maxBacklog } = await sharedRun();
    expect(maxBacklog, `maxBacklog is ${maxBacklog}: report the largest queue.size a cook sees right after its put()`).toBeGreaterThan(0);
    expect(maxBacklog, `the backlog reached ${maxBacklog} with a capacity of ${options.capacity}: put() must wait while the queue is full`).toBeLessThanOrEqual(options.capacity);
  });

  it('runKitchen() starts one thread per cook and per eater, and resolves only after all of them have exited (2 runs, the second with 1 cook, 3 eaters and capacity 1)', async () => {
    // Not only the first shape: more eaters than cooks, and a queue of one, where every put waits.
    const other = { cooks: 1, eaters: 3, dishesPerCook: 50, capacity: 1 };
    const runs = [
      { run: options, ...(await (shared ??= observed(options))) },
      { run: other, ...(await observed(other)) },
    ];
    for (const [i, { run, report, started, live }] of runs.entries()) {
      const shape = `${run.cooks} cook(s) and ${run.eaters} eaters`;
      expect(started, `run ${i + 1}: runKitchen() started ${started} worker threads for ${shape}: start one thread per cook and one per eater`).toBe(run.cooks + run.eaters);
      expect(live.length, `run ${i + 1}: runKitchen() resolved while ${live.length} worker thread(s) were still running (${live.map((t) => t.file).join(', ')}): wait for each worker's 'exit' event before you resolve`).toBe(0);
      const dishes = run.cooks * run.dishesPerCook;
      expect(report.eaten.length, `run ${i + 1} (${shape}): ${report.eaten.length} of ${dishes} dishes were eaten`).toBe(dishes);
    }
  });
});
