/**
 * The lessons and their steps: the one list that the runner, verify, the authoring check, the
 * tests and the slides all read. Nothing else repeats it.
 */

import { contracts } from './contract/steps.ts';
import type { StepContract } from './contract/types.ts';

export type Difficulty = 'easy' | 'medium' | 'hard';

export interface StepInfo {
  /** Lesson number and letter, such as `02b`. Test names start with it. */
  id: string;
  title: string;
  difficulty: Difficulty;
  /** Files of the lesson folder this step has the learner edit. */
  files: string[];
  /** One hint, shown on request; it nudges, it does not solve. */
  hint: string;
  /**
   * How long one check of this step may take before it is stopped and explained. Set from measured
   * durations on the solutions: at least 3 s and 3 times the step's slowest check, and 1 s more than
   * the longest wait a check of the step makes on purpose to explain a failure itself (so that
   * message still wins over the plain "stopped at its limit").
   */
  timeoutMs: number;
  /**
   * The step's code, or its checks, start worker threads. Their schedules are perturbed from a
   * seed (workshop/perturb), and a failed run names the seed that replays it.
   */
  threads?: boolean;
  /**
   * Earlier steps whose code this one runs (01c puts dishes in 01b's queue). When this step fails
   * and one of those fails too, the report says to fix that one first: one mistake, one story.
   */
  buildsOn?: string[];
  /**
   * What the step's README promises a caller: exports, options with defaults, numbering, edges,
   * resources and when each is closed, promises that must reject (workshop/contract/steps.ts, by
   * step id). The generic checks of every step follow from it (test/support/contract/).
   */
  contract: StepContract;
}

/** A step as written below: its contract is hung on it from workshop/contract/steps.ts. */
type StepEntry = Omit<StepInfo, 'contract'>;
interface LessonEntry extends Omit<LessonInfo, 'steps'> {
  steps: StepEntry[];
}

export interface LessonInfo {
  /** Two digits, such as `02`. */
  id: string;
  /** Folder name under `lessons/` and `solutions/`, and the test file's name. */
  slug: string;
  title: string;
  /** The oldest Redis server the lesson's commands run on; absent when it needs no Redis. */
  minRedis?: string;
  /** Redis commands the lesson's code uses (`CLIENT|UNBLOCK` for a subcommand); doctor checks the server has them. */
  commands?: string[];
  /** Files in the lesson folder that are neither steps nor README (demos to run). */
  extras?: string[];
  steps: StepInfo[];
}

const lessonList: LessonEntry[] = [
  {
    id: '01',
    slug: '01-bounded-queue',
    title: 'Threads and a shared bounded queue',
    extras: ['race-demo.ts'],
    steps: [
      {
        id: '01a',
        threads: true,
        title: 'Mutex: one thread at a time',
        difficulty: 'easy',
        files: ['mutex.ts'],
        hint:
          'Take the lock with Atomics.compareExchange(state, 0, UNLOCKED, LOCKED); when that fails, ' +
          'Atomics.wait(state, 0, LOCKED) and try again. unlock() stores UNLOCKED, then Atomics.notify wakes one waiter.',
        timeoutMs: 6_000,
      },
      {
        id: '01b',
        buildsOn: ['01a'],
        threads: true,
        title: 'BoundedQueue: put waits while full, take waits while empty',
        difficulty: 'medium',
        files: ['bounded-queue.ts'],
        hint:
          'Keep head, tail and size in the shared Int32Array and guard them with your Mutex. To wait, read a ' +
          'change counter while you hold the lock, unlock, then Atomics.wait on that counter value: a notify ' +
          'that comes in between changes the counter, so the wait returns at once instead of missing it.',
        timeoutMs: 6_000,
      },
      {
        id: '01c',
        buildsOn: ['01a', '01b'],
        threads: true,
        title: 'The kitchen: cooks and eaters in worker threads',
        difficulty: 'hard',
        files: ['kitchen.ts', 'kitchen-worker.ts'],
        hint:
          'Give every worker the queue\'s buffer through workerData, wait for all cooks to exit, then put one ' +
          'poison pill per eater; resolve only after every worker has emitted "exit".',
        timeoutMs: 7_000,
      },
    ],
  },
  {
    id: '02',
    slug: '02-washer-dryer',
    title: 'A Redis list as a queue: the washer and the dryer',
    minRedis: '6.0',
    commands: ['RPUSH', 'BLPOP'],
    steps: [
      {
        id: '02a',
        title: 'wash(): RPUSH every dish, then quit',
        difficulty: 'easy',
        files: ['washer.ts'],
        hint:
          'A queue takes in at one end and gives out at the other: the dryer pops from the left (BLPOP), so the ' +
          'washer pushes on the right, with conn.rpush(queue, dish). When all dishes are in, push the word quit.',
        timeoutMs: 3_000,
      },
      {
        id: '02b',
        title: 'dry(): BLPOP until quit, one dish at a time',
        difficulty: 'easy',
        files: ['dryer.ts'],
        hint:
          'Loop on `await conn.blpop(queue, 0)`: it returns [key, value], and 0 means wait as long as it takes. ' +
          'Stop on quit; otherwise await onDried(dish) before you ask for the next dish.',
        timeoutMs: 4_000,
      },
    ],
  },
  {
    id: '03',
    slug: '03-many-dryers',
    title: 'Many dryers: competing consumers, timeouts, a throttled worker',
    minRedis: '6.0',
    commands: ['RPUSH', 'BLPOP', 'LLEN'],
    steps: [
      {
        id: '03a',
        threads: true,
        title: 'runDryers(): N dryers, each with its own connection, BLPOP with a timeout',
        difficulty: 'medium',
        files: ['dryers.ts', 'dryer-worker.ts'],
        hint:
          'Start one worker thread per dryer; each calls connect() for a connection of its ' +
          'own and loops on BLPOP with timeoutSec as it is (seconds, not milliseconds). A null reply means the timeout ' +
          'passed: stop with reason "timeout", it is not an error. Await conn.quit(), post the report, and let ' +
          'runDryers() settle on each worker\'s "exit", not on its message.',
        timeoutMs: 5_000,
      },
      {
        id: '03b',
        title: 'runThrottledWorker(): one job at a time, spaced, with a refresh',
        difficulty: 'hard',
        files: ['throttled-worker.ts'],
        hint:
          'Keep two timestamps: when the last job started and when you last refreshed. Before each job, wait ' +
          'until intervalMs has passed since the last start, then refresh first if refreshMs has passed since the ' +
          'last refresh (and before the very first job). Report LLEN right after each pop. On "exit", return before ' +
          'you ask Redis for anything else, so the jobs behind it stay in the list.',
        timeoutMs: 4_000,
      },
    ],
  },
  {
    id: '04',
    slug: '04-pubsub-status',
    title: 'Pub/sub and a status machine in shared memory',
    minRedis: '6.0',
    commands: ['PUBLISH', 'SUBSCRIBE', 'UNSUBSCRIBE'],
    steps: [
      {
        id: '04a',
        title: 'transition(): the statuses and the moves allowed between them',
        difficulty: 'easy',
        files: ['status.ts'],
        hint:
          'Write the allowed moves as a table (README, "The moves"): for each status, which word leads to which status. ' +
          'transition() looks the pair up and returns the status unchanged when the pair is not in the table. Keep the ' +
          'table in a Map, or use Object.hasOwn: a plain object also answers to "toString".',
        timeoutMs: 3_000,
      },
      {
        id: '04b',
        buildsOn: ['04a'],
        threads: true,
        title: 'StatusListener: subscribe in a worker thread, status in shared memory',
        difficulty: 'hard',
        files: ['status-listener.ts', 'status-worker.ts'],
        hint:
          'Give the worker a SharedArrayBuffer; it stores the status with Atomics.store and the parent reads it ' +
          'with Atomics.load, no message needed. In ioredis the subscription is confirmed when subscribe() ' +
          'resolves: only then store READY and tell the parent. On END: unsubscribe, quit, and let the thread end; ' +
          'resolve done on the worker\'s "exit".',
        timeoutMs: 5_000,
      },
    ],
  },
  {
    id: '05',
    slug: '05-client-unblock',
    title: 'Shutting down blocked workers at once with CLIENT UNBLOCK',
    minRedis: '6.0',
    commands: ['RPUSH', 'BLPOP', 'CLIENT|ID', 'CLIENT|UNBLOCK', 'CLIENT|LIST'],
    steps: [
      {
        id: '05a',
        title: 'WorkerPool: stop() unblocks every worker at once',
        difficulty: 'hard',
        files: ['worker-pool.ts'],
        hint:
          'Give each worker its own connect() and have it ask CLIENT ID before its first BLPOP; start() asks ' +
          'blockedClientIds() every few ms until every id is there. stop() sets the stop flag first, sends CLIENT ' +
          'UNBLOCK <id> from another connection, then awaits every loop. Each loop checks the flag before every BLPOP ' +
          'and quits its connection when it ends; a worker busy with a job (UNBLOCK answers 0) sees the flag when done.',
        timeoutMs: 4_000,
      },
      {
        id: '05b',
        buildsOn: ['05a'],
        title: 'runConsole(): each line a job, an empty line stops',
        difficulty: 'medium',
        files: ['console.ts'],
        hint:
          'Start the pool first, then `for await (const line of createInterface({ input }))`: await an RPUSH for ' +
          'each line, break at the first empty one. In a finally: close the reader, await pool.stop() (it waits for ' +
          'a job in progress), and quit your own connection.',
        timeoutMs: 4_000,
      },
    ],
  },
  {
    id: '06',
    slug: '06-reliable-queue',
    title: 'The capstone: a reliable queue with an HTTP front',
    minRedis: '6.2',
    commands: ['BLMOVE', 'LMOVE', 'LREM', 'RPUSH', 'EVAL', 'HSET', 'HINCRBY', 'MULTI', 'CLIENT|UNBLOCK'],
    steps: [
      {
        id: '06a',
        title: 'QueueWorker: BLMOVE into a processing list, run, record, acknowledge with LREM',
        difficulty: 'hard',
        files: ['jobs.ts', 'worker.ts', 'tasks.ts', 'worker-process.ts'],
        hint:
          'BLMOVE jobs:waiting into keys.processing(id) (LEFT LEFT, timeout in seconds) so the job stays in Redis while ' +
          'handle() runs; then one Lua script: LREM the exact string BLMOVE returned and, only if it removed it, HSET the result ' +
          'and the status, keyed by jobId(raw). Renew the heartbeat (SET alive PX leaseMs and SADD jobs:workers, one MULTI, every beat) with setInterval ' +
          'on a second connection: the first one is held by BLMOVE. Race handle() against a jobTimeoutMs timer, and against ' +
          'the signal handBack() gives.',
        timeoutMs: 11_000,
      },
      {
        id: '06b',
        buildsOn: ['06a'],
        title: 'The reaper: give back the jobs of dead workers atomically, count attempts, dead-letter the rest',
        difficulty: 'hard',
        files: ['reaper.ts'],
        hint:
          'For each id in jobs:workers, run one Lua script with every key passed as KEYS: if the alive key exists, do ' +
          'nothing; else RPOP each job from its processing list, find its id with job_id(raw) (LUA_JOB_ID), HINCRBY its ' +
          'attempts, and LPUSH it back to waiting, or ' +
          'RPUSH it to jobs:dead once attempts reach maxAttempts. Never LRANGE then LREM then RPUSH: between them the job ' +
          'is in two places or none.',
        timeoutMs: 9_000,
      },
      {
        id: '06c',
        buildsOn: ['06a'],
        title: 'The HTTP front: POST a job, GET its status, and no request can crash it',
        difficulty: 'medium',
        files: ['server.ts'],
        hint:
          'Route on method and path; read the body chunk by chunk and answer 413 (with Connection: close) as soon as ' +
          'Content-Length or the bytes so far pass maxBodyBytes, without reading the rest. Wrap JSON.parse in try/catch ' +
          'for the 400, and end the request handler with .catch() that answers 500: an async handler that throws is an ' +
          'unhandled rejection, and that ends a Node process. Listen for \'checkContinue\' to refuse a big body before the ' +
          '100 Continue; count bracket depth in a loop before JSON.parse; for an Idempotency-Key, SET NX PX and enqueue in one Lua script.',
        timeoutMs: 11_000,
      },
      {
        id: '06d',
        buildsOn: ['06a', '06b', '06c'],
        title: 'startApp() and a graceful close(): stop HTTP, finish jobs, unblock the workers',
        difficulty: 'hard',
        files: ['app.ts'],
        hint:
          'In close(): server.close() first (no new connections), then every worker\'s stop() (the flags) before anything ' +
          'is awaited, then CLIENT UNBLOCK each worker.clientId from another connection while worker.blocking, then await ' +
          'the stops (a job in progress finishes) until deadlineMs, past it every worker\'s handBack(); then the reaper, ' +
          'the server, and quit() your own connections.',
        timeoutMs: 21_000,
      },
    ],
  },
];

export const lessons: readonly LessonInfo[] = validate(lessonList);

function validate(entries: LessonEntry[]): LessonInfo[] {
  const list: LessonInfo[] = entries.map((lesson) => ({
    ...lesson,
    steps: lesson.steps.map((step) => {
      const contract = contracts[step.id];
      if (!contract) throw new TypeError(`Step ${step.id} has no contract in workshop/contract/steps.ts`);
      return { ...step, contract };
    }),
  }));
  const seen = new Set<string>();
  for (const lesson of list) {
    if (!/^\d\d$/.test(lesson.id)) throw new TypeError(`Expected lesson id to be two digits, got \`${lesson.id}\``);
    if (!lesson.slug.startsWith(`${lesson.id}-`)) throw new TypeError(`Expected slug of lesson ${lesson.id} to start with "${lesson.id}-", got \`${lesson.slug}\``);
    if (lesson.steps.length === 0) throw new TypeError(`Lesson ${lesson.id} has no steps`);
    for (const step of lesson.steps) {
      if (!new RegExp(`^${lesson.id}[a-z]$`).test(step.id)) throw new TypeError(`Expected step id in lesson ${lesson.id} to be ${lesson.id} and a letter, got \`${step.id}\``);
      if (seen.has(step.id)) throw new TypeError(`Step ${step.id} is listed twice`);
      seen.add(step.id);
      if (!step.hint.trim()) throw new TypeError(`Step ${step.id} has no hint`);
      if (step.files.length === 0) throw new TypeError(`Step ${step.id} lists no files`);
      if (!(step.timeoutMs > 0)) throw new TypeError(`Expected timeoutMs of step ${step.id} to be > 0, got \`${step.timeoutMs}\``);
      const earlier = new Set(lesson.steps.slice(0, lesson.steps.indexOf(step)).map((other) => other.id));
      for (const id of step.buildsOn ?? []) {
        if (!earlier.has(id)) throw new TypeError(`Step ${step.id} builds on \`${id}\`, which is not an earlier step of lesson ${lesson.id}`);
      }
    }
  }
  const ids = new Set(list.flatMap((lesson) => lesson.steps.map((step) => step.id)));
  for (const id of Object.keys(contracts)) if (!ids.has(id)) throw new TypeError(`workshop/contract/steps.ts has a contract for \`${id}\`, which is not a step`);
  return list;
}

/** The step a check belongs to, from its name (`step()` starts every name with the step id). */
export function stepIdOf(name: string | undefined): string | undefined {
  return /^(\d\d[a-z]) /.exec(name ?? '')?.[1];
}

export function findStep(id: string): { lesson: LessonInfo; step: StepInfo } | undefined {
  for (const lesson of lessons) {
    const step = lesson.steps.find((candidate) => candidate.id === id);
    if (step) return { lesson, step };
  }
  return undefined;
}

/** The step after `step` in the workshop's order (into the next lesson), or undefined after the last. */
export function stepAfter(step: StepInfo): StepInfo | undefined {
  const all = lessons.flatMap((lesson) => lesson.steps);
  const at = all.findIndex((candidate) => candidate.id === step.id);
  return at < 0 ? undefined : all[at + 1];
}

/** Every step id and lesson id, for "did you mean" messages. */
export function allIds(): string[] {
  return lessons.flatMap((lesson) => [lesson.id, ...lesson.steps.map((step) => step.id)]);
}

export interface Selection {
  lesson: LessonInfo;
  steps: StepInfo[];
}

/**
 * Turns what a person typed (`02`, `2`, `02b`, `2b`, `02-washer-dryer`) into lessons and steps.
 * Throws a message that lists the valid names when nothing matches.
 */
export function select(input: string): Selection {
  const text = input.trim().toLowerCase();
  const match = /^(\d{1,2})([a-z])?$/.exec(text);
  const id = match ? match[1]!.padStart(2, '0') : text.slice(0, 2);
  const lesson = lessons.find((candidate) => candidate.id === id && (match || candidate.slug === text));
  if (lesson) {
    if (!match?.[2]) return { lesson, steps: lesson.steps };
    const step = lesson.steps.find((candidate) => candidate.id === `${id}${match[2]}`);
    if (step) return { lesson, steps: [step] };
  }
  const first = lessons[0]!.id;
  const last = lessons[lessons.length - 1]!.id;
  // A number names a lesson or a step: say which exist, never guess one that looks alike.
  if (lesson && match?.[2]) throw new RangeError(`Lesson ${id} has no step ${id}${match[2]}: its steps are ${lesson.steps.map((step) => step.id).join(', ')}.`);
  if (match) throw new RangeError(`There is no lesson ${id}: the lessons are ${first} to ${last}, and their steps are called like 02b.`);
  const guess = nearest(text);
  throw new RangeError(`There is no lesson or step called "${input}". Try one of: ${allIds().join(', ')}` + (guess ? ` (did you mean ${guess}?)` : ''));
}

/** The closest of `candidates` to `text`, when it is within two edits. */
export function nearest(text: string, candidates: readonly string[] = [...allIds(), ...lessons.map((lesson) => lesson.slug)]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const id of candidates) {
    const distance = editDistance(text, id);
    if (distance < bestDistance) [best, bestDistance] = [id, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The newest Redis any of these lessons needs, or undefined when none needs Redis. */
export function minRedisFor(selected: readonly LessonInfo[] = lessons): string | undefined {
  const versions = selected.map((lesson) => lesson.minRedis).filter((v): v is string => Boolean(v));
  return versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
}
