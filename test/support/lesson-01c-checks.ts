/** Lesson 01, step 01c. Loaded by test/01-bounded-queue.test.ts. */
import { beforeAll, it } from 'vitest';
import type { KitchenModule, KitchenOptions, KitchenReport } from './lesson-01-checks.ts';
import { drawn, fc } from './draw.ts';
import { liveThreads, threadsStarted } from './threads.ts';
import { expect, step } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { kitchenProbe } from './contract/lesson-01.ts';
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

  it('runKitchen() starts one thread per cook and per eater, and resolves only after all of them have exited, whatever the counts and capacity (drawn)', async () => {
    /** One run's threads and dishes, judged; `label` names the run in the message. */
    const judge = (label: string, run: KitchenOptions, { report, started, live }: Awaited<ReturnType<typeof observed>>) => {
      const shape = `${run.cooks} cook(s) and ${run.eaters} eater(s)`;
      expect(started, `${label}: runKitchen() started ${started} worker threads for ${shape}: start one thread per cook and one per eater`).toBe(run.cooks + run.eaters);
      expect(live.length, `${label}: runKitchen() resolved while ${live.length} worker thread(s) were still running (${live.map((t) => t.file).join(', ')}): wait for each worker's 'exit' event before you resolve`).toBe(0);
      const dishes = run.cooks * run.dishesPerCook;
      const distinct = new Set(report.eaten.map((dish) => `${dish.cook}:${dish.seq}`)).size;
      expect(report.eaten.length, `${label} (${shape}): ${report.eaten.length} dishes were reported eaten, ${distinct} of them different, of the ${dishes} made: each dish is eaten once`).toBe(dishes);
      expect(distinct, `${label} (${shape}): only ${distinct} different dishes of ${dishes} were eaten: some were eaten twice, others never`).toBe(dishes);
    };
    judge('the first run', options, await (shared ??= observed(options)));
    // Not only the first shape: more eaters than cooks, a queue of one where every put waits, one dish.
    const shapes = fc.record({ cooks: fc.integer({ min: 1, max: 3 }), eaters: fc.integer({ min: 1, max: 3 }), dishesPerCook: fc.integer({ min: 1, max: 60 }), capacity: fc.integer({ min: 1, max: 4 }) });
    const describe = (run: KitchenOptions) => `with runKitchen({ cooks: ${run.cooks}, eaters: ${run.eaters}, dishesPerCook: ${run.dishesPerCook}, capacity: ${run.capacity} })`;
    await drawn(shapes, { name: '01c shapes', runs: 2, examples: [{ cooks: 1, eaters: 3, dishesPerCook: 50, capacity: 1 }], budgetMs: 2500, describe }, async (run) => {
      judge('this run', run, await observed(run));
    });
  });

  it('when a thread ends without its report, runKitchen() rejects, after ending the other threads', async () => {
    // One cook with far more dishes than the check waits for (half a minute of cooking), a queue of one, two eaters: one eater
    // is ended from outside (worker.terminate(): exit code 1, no report) as soon as all have started.
    const run = { cooks: 1, eaters: 2, dishesPerCook: 999_999, capacity: 1 };
    const before = new Set(liveThreads());
    const running = runKitchen(run);
    let atRejection: number | undefined;
    const outcome = running.then(
      (report) => ({ report }),
      (error: unknown) => ((atRejection = liveThreads().length), { error }),
    );
    let ours: ReturnType<typeof liveThreads> = [];
    for (const deadline = Date.now() + 3000; ours.length < 3 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 5))) {
      ours = liveThreads().filter((thread) => !before.has(thread));
      const early = await Promise.race([outcome, undefined]);
      if (early && 'error' in early) throw early.error;
      if (early) throw new Error('runKitchen() resolved before its threads had run: resolve once every eater has eaten its share and every thread has exited');
    }
    expect(ours.length, `runKitchen() started ${ours.length} thread(s) in 3 s for 1 cook and 2 eaters: start one thread per cook and one per eater`).toBe(3);
    const victim = ours.find((thread) => (thread.data as { role?: string } | undefined)?.role === 'eater') ?? ours.at(-1)!;
    await victim.worker.terminate();
    const settled = await Promise.race([outcome, new Promise<{ never: true }>((resolve) => setTimeout(() => resolve({ never: true }), 3000))]);
    if ('never' in settled) {
      const live = liveThreads().filter((thread) => !before.has(thread));
      throw new Error(
        `runKitchen() had not settled 3 s after an eater thread ended without posting its report (exit code 1), and ${live.length} of its threads were still running: ` +
          "a failed thread never does its share, so waiting for every thread never ends. Treat 'error', or 'exit' without a report, as a failure: " +
          'end the other threads (await worker.terminate()) and reject at once.',
      );
    }
    if ('report' in settled) {
      throw new Error(
        "runKitchen() resolved although an eater thread ended without posting its report (exit code 1): 'exit' without a report means that thread failed, " +
          'and its dishes are lost. End the other threads and reject.',
      );
    }
    expect(
      atRejection,
      `runKitchen() rejected while ${atRejection} worker thread(s) were still running: nothing may outlive the kitchen. ` +
        'When a thread fails, end the others (await worker.terminate() on each), then reject.',
    ).toBe(0);
  });

  contractChecks('01c', kitchenProbe);
});
