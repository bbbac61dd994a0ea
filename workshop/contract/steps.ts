/**
 * Every step's contract (see types.ts), by step id. workshop/manifest.ts hangs each on its step;
 * test/support/contract/ generates the checks that follow from it, and the harness's
 * contract test holds it to the solutions, the starters and the lesson READMEs.
 */
import type { StepContract } from './types.ts';

const QUEUE_VALUES = ['cups', 'tray:2', 'плиты'] as const;

export const contracts: Record<string, StepContract> = {
  '01a': {
    exports: [
      {
        name: 'Mutex',
        kind: 'class',
        signature: 'new Mutex(cells: Int32Array, index = 0): lock(), unlock(), withLock(fn); Mutex.create()',
        options: [{ name: 'index', default: 0, values: [1, 2, 3] }],
      },
    ],
    resources: [],
    edges: [
      { what: 'the mutex on any slot of its cells, not only slot 0', check: 'a thread waiting in .lock() sleeps' },
      { what: 'fn throws inside withLock()', check: '.withLock(fn) returns what fn returns' },
      { what: 'unlock() of a mutex nobody holds', check: '.unlock() throws when the mutex is not locked' },
    ],
  },
  '01b': {
    exports: [
      {
        name: 'BoundedQueue',
        kind: 'class',
        signature: 'new BoundedQueue(capacity), BoundedQueue.attach(buffer), put(item, timeoutMs?) → boolean, take(timeoutMs?) → number | undefined, size, capacity, buffer',
        options: [
          { name: 'capacity', required: true, values: [1, 2, 5] },
          { name: 'timeoutMs', values: [0, 25] },
        ],
      },
    ],
    resources: [],
    edges: [
      { what: 'a capacity of 1', check: 'no lost wake-up' },
      { what: 'negative items and the int32 extremes', check: 'items are int32' },
      { what: 'timeoutMs 0: do not wait at all', check: 'any capacity, any mix of put(item, 0) and take(0)' },
    ],
  },
  '01c': {
    exports: [
      {
        name: 'runKitchen',
        kind: 'function',
        signature: 'runKitchen({ cooks, eaters, dishesPerCook, capacity }) → Promise<KitchenReport>',
        options: [
          { name: 'cooks', required: true, values: [1, 2, 3] },
          { name: 'eaters', required: true, values: [1, 2, 3] },
          { name: 'dishesPerCook', required: true, values: [0, 1, 20] },
          { name: 'capacity', required: true, values: [1, 3] },
        ],
      },
    ],
    numbering: 'each cook numbers its dishes from 0 (seq), in the order it cooks them',
    resources: [{ kind: 'thread', closedBy: 'runKitchen() settles' }],
    edges: [{ what: 'one cook, three eaters, capacity 1', check: 'runKitchen() starts one thread per cook and per eater' }],
    rejects: [{ what: 'runKitchen() when a thread ends without its report', check: 'when a thread ends without its report, runKitchen() rejects' }],
  },
  '02a': {
    exports: [
      {
        name: 'wash',
        kind: 'function',
        signature: "wash(conn, dishes: Iterable<string>, queue = 'dishes') → Promise<void>",
        options: [{ name: 'queue', default: 'dishes', values: QUEUE_VALUES, isolates: true }],
      },
    ],
    resources: [],
    edges: [
      { what: 'no dishes at all: quit still goes out', check: 'with no dishes at all, still pushes quit' },
      { what: 'an iterable that can be read only once', check: 'reads the dishes once, as they come' },
      { what: 'names in Japanese, Chinese and emoji', check: 'keeps names in Japanese, Chinese and emoji intact' },
    ],
  },
  '02b': {
    exports: [
      {
        name: 'dry',
        kind: 'function',
        signature: "dry(conn, onDried, queue = 'dishes') → Promise<number>",
        options: [{ name: 'queue', default: 'dishes', values: QUEUE_VALUES, isolates: true }],
      },
    ],
    resources: [],
    edges: [
      { what: 'names close to quit are dishes', check: 'dries any dishes, in order, and only "quit" stops it' },
      { what: 'BLPOP answering null', check: 'waits as long as it takes' },
    ],
  },
  '03a': {
    exports: [
      {
        name: 'runDryers',
        kind: 'function',
        signature: "runDryers({ dryers, timeoutSec, workMs, queue = 'dishes' }) → Promise<DryerReport[]>",
        options: [
          { name: 'dryers', required: true, values: [1, 2, 3] },
          { name: 'timeoutSec', required: true, values: [0.1, 0.15] },
          { name: 'workMs', required: true, values: [0, 15] },
          { name: 'queue', default: 'dishes', values: QUEUE_VALUES, isolates: true },
        ],
      },
    ],
    numbering: 'dryers are numbered 1 to dryers',
    resources: [
      { kind: 'thread', closedBy: 'runDryers() settles' },
      { kind: 'connection', closedBy: 'runDryers() settles' },
    ],
    edges: [{ what: 'no quit at all: every dryer stops by timeout', check: 'every dryer stops by timeout when no quit comes' }],
    rejects: [{ what: 'runDryers() when a dryer thread fails', check: 'a dryer whose thread fails makes runDryers() reject' }],
  },
  '03b': {
    exports: [
      {
        name: 'runThrottledWorker',
        kind: 'function',
        signature: "runThrottledWorker(conn, { queue = 'jobs', intervalMs, refreshMs, handle, refresh, onBacklog? }) → Promise<{ handled, refreshes }>",
        options: [
          { name: 'queue', default: 'jobs', values: QUEUE_VALUES, isolates: true },
          { name: 'intervalMs', required: true, values: [0, 40] },
          { name: 'refreshMs', required: true, values: [0, 60_000] },
          { name: 'onBacklog', values: [true] },
        ],
      },
    ],
    resources: [],
    edges: [{ what: 'jobs after exit stay in the list', check: 'exit ends the worker and leaves the jobs after it in the list' }],
  },
  '04a': {
    exports: [{ name: 'transition', kind: 'function', signature: 'transition(status, message) → status' }],
    resources: [],
    edges: [
      { what: 'words that are not status words, toString among them', check: 'ignores messages that are not status words' },
      { what: 'END is final', check: 'END is final' },
    ],
  },
  '04b': {
    exports: [
      {
        name: 'StatusListener',
        kind: 'class',
        signature: 'new StatusListener(channel, { onMessage? }): ready, done, status, close()',
        options: [
          { name: 'channel', required: true, values: ['status', 'ops:1', 'статус'], isolates: true },
          { name: 'onMessage', values: [true] },
        ],
      },
    ],
    resources: [
      { kind: 'thread', closedBy: 'done resolves' },
      { kind: 'connection', closedBy: 'done resolves' },
      { kind: 'subscription', closedBy: 'done resolves' },
    ],
    edges: [
      { what: 'a message published before the subscription', check: 'a message published before the listener has subscribed is gone' },
      { what: 'look-alikes of status words', check: 'any run of messages' },
      { what: '"end" twice', check: '"end" twice in a row ends the listener once' },
    ],
    rejects: [
      { what: 'ready, when close() comes before the subscription', check: 'close() before the subscription: ready rejects' },
      { what: 'done, when the thread fails', check: 'when its thread fails after subscribing' },
    ],
  },
  '05a': {
    exports: [
      {
        name: 'WorkerPool',
        kind: 'class',
        signature: "new WorkerPool({ workers, queue = 'jobs', blockTimeoutSec = 30, handle, onError? }): start(), stop(), clientIds",
        options: [
          { name: 'workers', required: true, values: [1, 2, 3] },
          { name: 'queue', default: 'jobs', values: QUEUE_VALUES, isolates: true },
          { name: 'blockTimeoutSec', default: 30, values: [0, 0.2, 5] },
        ],
      },
    ],
    numbering: 'workers are numbered 1 to workers',
    resources: [
      { kind: 'connection', closedBy: 'stop() resolves' },
      { kind: 'timer', closedBy: 'stop() resolves' },
    ],
    edges: [
      { what: 'stop() twice, and before start()', check: '.stop() twice is harmless' },
      { what: 'a BLPOP that times out', check: 'keeps waiting after a BLPOP times out' },
      { what: 'a handle() that throws', check: 'a job whose handle() throws goes to onError' },
    ],
  },
  '05b': {
    exports: [
      {
        name: 'runConsole',
        kind: 'function',
        signature: "runConsole(input, { workers = 2, queue = 'jobs', handle?, output = process.stdout, blockTimeoutSec = 30 }) → Promise<void>",
        options: [
          { name: 'workers', default: 2, values: [1, 3] },
          { name: 'queue', default: 'jobs', values: QUEUE_VALUES, isolates: true },
          { name: 'handle', values: [true] },
          { name: 'blockTimeoutSec', default: 30, values: [0, 5] },
        ],
      },
    ],
    resources: [
      { kind: 'connection', closedBy: 'runConsole() settles' },
      { kind: 'timer', closedBy: 'runConsole() settles' },
    ],
    edges: [
      { what: 'a blank line of spaces or a tab', check: 'a blank line (spaces or a tab only) stops it' },
      { what: 'the input ends without an empty line', check: 'runConsole() also stops at the end of the input' },
    ],
    rejects: [{ what: 'runConsole() when its input fails', check: 'runConsole() stops the pool when its input fails' }],
  },
  '06a': {
    exports: [
      { name: 'enqueue', kind: 'function', signature: 'enqueue(conn, data) → Promise<id>' },
      { name: 'jobId', kind: 'function', signature: 'jobId(raw) → id' },
      {
        name: 'QueueWorker',
        kind: 'class',
        signature: 'new QueueWorker({ id?, handle, leaseMs = 30000, heartbeatMs = leaseMs / 3, blockTimeoutSec = 30, jobTimeoutMs = 300000, maxAttempts = 3 }): start(), stop(), handBack(), clientId, blocking',
        options: [
          { name: 'id', values: ['w1', 'ward-7'], isolates: true },
          { name: 'leaseMs', default: 30_000, values: [2_000] },
          { name: 'heartbeatMs', values: [50] },
          { name: 'blockTimeoutSec', default: 30, values: [0.2, 5] },
          { name: 'jobTimeoutMs', default: 300_000, values: [200] },
          { name: 'maxAttempts', default: 3, values: [1, 2] },
        ],
      },
    ],
    resources: [
      { kind: 'connection', closedBy: 'stop() resolves' },
      { kind: 'timer', closedBy: 'stop() resolves' },
    ],
    edges: [
      { what: 'a job whose text cannot be decoded', check: 'a job whose text cannot be decoded is recorded as failed' },
      { what: 'a handle() that never settles', check: 'a handle() that never settles is stopped at jobTimeoutMs' },
    ],
  },
  '06b': {
    exports: [
      { name: 'reapOnce', kind: 'function', signature: 'reapOnce(conn, { maxAttempts = 3 }) → Promise<ReapReport>', options: [{ name: 'maxAttempts', default: 3, values: [1, 2] }] },
      { name: 'startReaper', kind: 'function', signature: 'startReaper(conn, { maxAttempts = 3, intervalMs = 1000, onError? }) → { stop() }', options: [{ name: 'intervalMs', default: 1000, values: [20] }] },
    ],
    resources: [{ kind: 'timer', closedBy: 'stop() resolves' }],
    edges: [{ what: 'a job text Redis cannot decode', check: 'a job whose text Redis cannot decode' }],
  },
  '06c': {
    exports: [
      {
        name: 'createServer',
        kind: 'function',
        signature: 'createServer(conn, { maxBodyBytes = 65536, idempotencyTtlMs = 24 h }) → http.Server',
        options: [
          { name: 'maxBodyBytes', default: 65_536, values: [64, 4096] },
          { name: 'idempotencyTtlMs', default: 86_400_000, values: [60_000] },
        ],
      },
    ],
    resources: [{ kind: 'server', closedBy: 'server.close() calls back' }],
    edges: [
      { what: 'a body over maxBodyBytes', check: 'a body over maxBodyBytes is 413' },
      { what: 'JSON nested thousands deep', check: 'JSON nested thousands deep is 400' },
      { what: 'Expect: 100-continue', check: 'with Expect: 100-continue' },
    ],
  },
  '06d': {
    exports: [
      {
        name: 'startApp',
        kind: 'function',
        signature: 'startApp({ workers = 2, port = 0, host = 127.0.0.1, handle, blockTimeoutSec, leaseMs, maxAttempts, reapIntervalMs, maxBodyBytes, idempotencyTtlMs, jobTimeoutMs }) → Promise<{ url, close({ deadlineMs }) }>',
        options: [
          { name: 'workers', default: 2, values: [1, 3] },
          { name: 'port', default: 0, values: [0] },
          { name: 'maxBodyBytes', default: 65_536, values: [64] },
          { name: 'idempotencyTtlMs', default: 86_400_000, values: [60_000] },
          { name: 'reapIntervalMs', default: 1000, values: [20] },
          { name: 'maxAttempts', default: 3, values: [1] },
        ],
      },
    ],
    resources: [
      { kind: 'connection', closedBy: 'close() resolves' },
      { kind: 'timer', closedBy: 'close() resolves' },
      { kind: 'server', closedBy: 'close() resolves' },
    ],
    edges: [{ what: 'a port that is taken', check: 'startApp() on a port that is taken rejects' }],
    rejects: [{ what: 'startApp() on a port that is taken', check: 'startApp() on a port that is taken rejects' }],
  },
};
