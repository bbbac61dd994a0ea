/**
 * What a seed decides in a run of the history check: how long each job works, which jobs overrun
 * the time limit, and which faults hit which worker when. The same seed gives the same schedule;
 * a run's timing still varies a little (processes start and answer when they do).
 */
import type { Fault } from './history.ts';
import type { Plan } from './recorder.ts';

export interface FaultCounts {
  kill: number;
  stall: number;
  restart: number;
  cut: number;
}

export interface ScheduleOptions {
  jobs: number;
  spacingMs: number;
  jobTimeoutMs: number;
  faults: FaultCounts;
  /** How many worker slots a fault may pick from. */
  workers: number;
}

export interface PlannedFault {
  kind: Fault['kind'];
  /** ms after the first POST. */
  at: number;
  /** For kill and stall: the worker slot (a killed worker's replacement takes its slot). */
  slot: number;
}

export interface Schedule {
  sleepMs: number[];
  plan: Plan;
  faults: PlannedFault[];
}

/** A small seeded generator (mulberry32): the same seed, the same numbers in [0, 1). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for a run: WORKSHOP_SEED when set (to replay a run), else a fresh one. */
export function seedFrom(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.WORKSHOP_SEED?.trim();
  if (!text) return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) throw new TypeError(`Expected WORKSHOP_SEED to be a whole number >= 0, got \`${text}\``);
  return seed;
}

export function scheduleFor(seed: number, options: ScheduleOptions): Schedule {
  const next = random(seed);
  const { jobs, spacingMs, jobTimeoutMs, workers } = options;
  const sleepMs = Array.from({ length: jobs }, () => Math.round(20 + next() * 100));
  // Distinct job numbers for the overrunning jobs: two overrun once, one every time.
  const chosen = new Set<number>();
  while (chosen.size < Math.min(3, jobs)) chosen.add(Math.floor(next() * jobs));
  const [always, ...first] = [...chosen];
  const plan: Plan = { first, always: always === undefined ? [] : [always], overrunMs: jobTimeoutMs + 300 };
  // Faults fall while jobs are still being posted, away from the very start and end.
  const window = jobs * spacingMs;
  const faults: PlannedFault[] = [];
  for (const kind of ['kill', 'stall', 'restart', 'cut'] as const) {
    for (let i = 0; i < options.faults[kind]; i++) {
      faults.push({ kind, at: Math.round(window * (0.15 + 0.7 * next())), slot: Math.floor(next() * workers) });
    }
  }
  return { sleepMs, plan, faults: faults.sort((a, b) => a.at - b.at) };
}
