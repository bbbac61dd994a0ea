/**
 * Seeded schedule perturbation: makes the threads of a check take turns in an order the machine
 * alone would rarely produce, so that a race in the learner's code shows up in a run instead of
 * once in a thousand.
 *
 * A race needs one thread to act between another's two steps: between the load that saw the lock
 * free and the store that takes it; between "the queue is empty, unlock" and the wait. On an idle
 * machine that gap is a few nanoseconds and the other thread almost never lands in it. Here every
 * call to Atomics in a learner's thread may linger first, and a call whose result the thread acts
 * on (a load, a compareExchange, an add) may linger afterwards too:
 * - a jitter: a spin of 1–10 µs at a rate this thread draws from the seed (some threads are
 *   nervous, some calm), with at most 20 ms of it per thread;
 * - a handful of lingers: at a few calls chosen from the seed among the thread's first 4,000, it
 *   sleeps 0.1–1.5 ms, long enough for every other thread to run through the gap (the idea of PCT,
 *   the probabilistic scheduler: a few well-placed delays find most bugs of a few steps).
 *
 * Everything comes from one seed, the check's name and the thread's place in the order threads
 * were started, so `--seed N` replays the same delays at the same calls. The operating system
 * still decides the rest, so a replay makes a failure very likely again, not certain. Only threads
 * started from a file are perturbed: Node runs no preload for `eval` code.
 */
import type { WorkerOptions } from 'node:worker_threads';

/** The run's seed, in the runner's and the test processes' environment; `off` turns perturbation off. */
export const SEED_VARIABLE = 'WORKSHOP_SEED';
/** In a perturbed thread's environment: `<seed>:<stream>`, what the preload reads. */
export const SCHEDULE_VARIABLE = 'WORKSHOP_SCHEDULE';

const PRELOAD = new URL('./preload.ts', import.meta.url).href;

/** The seed the environment asks for: a whole number, or undefined (unset, or `off`). */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[SEED_VARIABLE];
  if (text === undefined || text === '' || text === 'off') return undefined;
  const seed = Number(text);
  return Number.isSafeInteger(seed) && seed >= 0 ? seed : undefined;
}

/** A fresh seed for a run: small enough to type back. */
export function newSeed(): number {
  return Math.floor(Math.random() * 1_000_000);
}

/** Mixes numbers and strings into one 32-bit stream number (FNV-1a, then a finaliser). */
export function streamOf(...parts: Array<number | string>): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (const char of `${String(part)}\u0000`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/** mulberry32: a small, fast generator of numbers in [0, 1) from a 32-bit state. */
export function random(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What one thread will do: drawn from its stream alone, so a test can look at it without threads. */
export interface Plan {
  /** Chance that a call to Atomics jitters first. */
  jitterRate: number;
  /** Indexes of the calls that linger, and for how long (ms). */
  lingers: Map<number, number>;
  /** Draws the length of the next jitter, in microseconds (1–10). */
  nextJitter: () => number;
  /** Draws whether the next call jitters. */
  jitters: () => boolean;
}

const LINGERS = 6;
const HORIZON = 4_000;
const JITTER_BUDGET_MS = 20;

export function planFor(stream: number): Plan {
  const draw = random(stream);
  const jitterRate = [0, 0.02, 0.1, 0.3][Math.floor(draw() * 4)]!;
  const lingers = new Map<number, number>();
  while (lingers.size < LINGERS) lingers.set(Math.floor(draw() * HORIZON), 0.1 + draw() * 1.4);
  return { jitterRate, lingers, nextJitter: () => 1 + Math.floor(draw() * 10), jitters: () => draw() < jitterRate };
}

type AtomicsName = 'add' | 'compareExchange' | 'exchange' | 'load' | 'notify' | 'store' | 'sub' | 'wait';
const NAMES: AtomicsName[] = ['add', 'compareExchange', 'exchange', 'load', 'notify', 'store', 'sub', 'wait'];
/** Calls whose result the caller acts on: they may linger afterwards too (between looking and acting). */
const READS = new Set<AtomicsName>(['add', 'compareExchange', 'exchange', 'load', 'sub']);

/** This thread's Atomics as they were before perturbAtomics() wrapped them (undefined until then). */
let originals: Record<AtomicsName, (...args: unknown[]) => unknown> | undefined;

/**
 * Atomics without the delays, for the checks' own signals in a perturbed thread: a harness that
 * spins on a start line would otherwise spend the thread's lingers before the learner's code runs.
 */
export function unperturbed(): Pick<typeof Atomics, AtomicsName> {
  return (originals ?? Atomics) as unknown as Pick<typeof Atomics, AtomicsName>;
}

/**
 * Wraps this thread's Atomics after `plan`. Call it before any learner code runs in the thread
 * (the preload does); code that kept a reference to the original functions is not perturbed.
 */
export function perturbAtomics(plan: Plan): void {
  if (originals) return;
  const original = Object.fromEntries(
    NAMES.map((name) => [name, (Atomics[name] as (...args: unknown[]) => unknown).bind(Atomics)]),
  ) as Record<AtomicsName, (...args: unknown[]) => unknown>;
  originals = original;
  const nap = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  let calls = 0;
  let jitterLeftMs = JITTER_BUDGET_MS;
  const delay = () => {
    const linger = plan.lingers.get(calls++);
    if (linger !== undefined) {
      original.wait(nap, 0, 0, linger);
      return;
    }
    if (jitterLeftMs <= 0 || !plan.jitters()) return;
    const micros = plan.nextJitter();
    jitterLeftMs -= micros / 1000;
    const until = performance.now() + micros / 1000;
    while (performance.now() < until) {
      // spin: a few microseconds is shorter than any sleep the thread could ask for
    }
  };
  for (const name of NAMES) {
    const call = original[name];
    const wrapped = READS.has(name)
      ? (...args: unknown[]) => {
          delay();
          const value = call(...args);
          delay();
          return value;
        }
      : (...args: unknown[]) => (delay(), call(...args));
    Object.assign(Atomics, { [name]: wrapped });
  }
}

/**
 * `options` for a Worker whose thread runs perturbed on `stream`: the preload goes into its
 * execArgv (nested threads inherit it) and the schedule into its environment. A worker that shares
 * its parent's environment (SHARE_ENV) is left alone.
 */
export function withSchedule(options: WorkerOptions | undefined, seed: number, stream: number): WorkerOptions | undefined {
  if (options?.env !== undefined && typeof options.env !== 'object') return options;
  const execArgv = options?.execArgv ?? process.execArgv;
  const env = { ...((options?.env as NodeJS.ProcessEnv | undefined) ?? process.env), [SCHEDULE_VARIABLE]: `${seed}:${stream}` };
  return {
    ...options,
    execArgv: execArgv.includes(PRELOAD) ? execArgv : [...execArgv, '--import', PRELOAD],
    env,
  };
}
