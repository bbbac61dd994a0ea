/**
 * Lost updates, seen with your own eyes. Two threads each add 1 to the same shared number a
 * million times, three ways: a plain `cells[0]++`, `Atomics.add`, and `++` under your Mutex.
 *
 *   node lessons/01-bounded-queue/race-demo.ts
 *
 * This one file is both the program and the code of its two worker threads.
 */
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { Mutex } from './mutex.ts';

type Way = 'plain' | 'atomic' | 'mutex';
/** One round's shared memory: [the counter, arrivals at the start line, the mutex's slot]. */
interface Round {
  way: Way;
  cells: Int32Array;
}
const COUNT = 0;
const READY = 1;
const LOCK = 2;
const THREADS = 2;
const TIMES = 1_000_000;

const LABELS: Record<Way, string> = {
  plain: 'cells[0]++',
  atomic: 'Atomics.add(cells, 0, 1)',
  mutex: 'lock(); cells[0]++; unlock()',
};

if (isMainThread) await main();
else for (const round of workerData as Round[]) count(round);

function count({ way, cells }: Round): void {
  // The start line: a thread that started early could finish before the other one begins.
  Atomics.add(cells, READY, 1);
  Atomics.notify(cells, READY);
  while (Atomics.load(cells, READY) < THREADS) Atomics.wait(cells, READY, 1);
  if (way === 'plain') {
    // Read, add, write: three steps, and the other thread can write in between.
    for (let i = 0; i < TIMES; i++) cells[COUNT]!++;
  } else if (way === 'atomic') {
    for (let i = 0; i < TIMES; i++) Atomics.add(cells, COUNT, 1);
  } else {
    const mutex = new Mutex(cells, LOCK);
    for (let i = 0; i < TIMES; i++) mutex.withLock(() => cells[COUNT]!++);
  }
}

async function main(): Promise<void> {
  const ways: Way[] = ['plain', 'atomic'];
  const mutexProblem = tryMutex();
  if (!mutexProblem) ways.push('mutex');
  const rounds = ways.map((way) => ({ way, cells: new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT)) }));

  console.log(`Two threads each add 1 to the same shared number ${TIMES.toLocaleString('en')} times.`);
  console.log(`Expected total: ${(THREADS * TIMES).toLocaleString('en')}\n`);
  const started = performance.now();
  const threads = Array.from({ length: THREADS }, () => new Worker(new URL(import.meta.url), { workerData: rounds }));
  const failures = await Promise.all(threads.map((thread) => ended(thread)));
  const failure = failures.find(Boolean);
  if (failure) {
    console.error(`A thread failed: ${failure.message}`);
    process.exitCode = 1;
    return;
  }
  for (const { way, cells } of rounds) {
    const total = cells[COUNT]!;
    const lost = THREADS * TIMES - total;
    console.log(`  ${LABELS[way].padEnd(30)}${total.toLocaleString('en').padStart(9)}   ${lost === 0 ? 'none lost' : `${lost.toLocaleString('en')} lost`}`);
  }
  if (mutexProblem) console.log(`  ${LABELS.mutex.padEnd(30)}not tried: ${mutexProblem}`);
  if (rounds[0]!.cells[COUNT] === THREADS * TIMES) {
    console.log('\nNo update was lost this time: the two threads did not overlap much. Run it again.');
  }
  console.log(`\n(${Math.round(performance.now() - started)} ms)`);
}

/** Why your Mutex cannot be used yet, or undefined when it works in this thread. */
function tryMutex(): string | undefined {
  try {
    const mutex = Mutex.create();
    mutex.lock();
    mutex.unlock();
    return undefined;
  } catch (error) {
    return `your Mutex is not ready (${(error as Error).message})`;
  }
}

function ended(thread: Worker): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let failure: Error | undefined;
    thread.on('error', (error) => (failure = error));
    thread.on('exit', () => resolve(failure));
  });
}
