/**
 * What one run of the lesson-06 queue leaves behind for the history checker (check.ts): every
 * enqueue as the HTTP client saw it, every start and finish of a job as the workers saw it, every
 * fault injected, and the final state. Times are ms since the run started, on one clock for every
 * process (performance.timeOrigin + performance.now(), the wall clock with sub-ms precision).
 */

/** One POST /jobs, as the client saw it. The client numbers its jobs: `n` is in the body and in the Idempotency-Key. */
export interface Enqueue {
  n: number;
  /** 1 for the first try; a try that ended `unknown` is sent again, with the same Idempotency-Key. */
  try: number;
  /** Sent. */
  at: number;
  /** Answered, or given up. */
  end: number;
  /**
   * `ok`: 202 with an id. `failed`: the job was certainly not enqueued (refused before the server
   * read it, or a 4xx). `unknown`: the connection broke or timed out, or a 5xx: it may have been.
   */
  outcome: 'ok' | 'failed' | 'unknown';
  /** The id answered with the 202. */
  id?: string;
  /** For `failed` and `unknown`: the status and body, or the socket's error. */
  why?: string;
}

/** A worker began (`start`) or returned from (`finish`) one run of a job's handler. */
export interface Run {
  kind: 'start' | 'finish';
  /** Names one run, the same in its start and its finish: a run the worker gave up on still finishes later. */
  run: string;
  /** The worker's id (QueueWorker's `id`). */
  worker: string;
  job: string;
  /** The client's number for the job, read from the job's data; null when the data has none. */
  n: number | null;
  /** Which attempt the queue counts this run as (jobs:attempts + 1 when it started); null when Redis could not say. */
  attempt: number | null;
  at: number;
}

/**
 * A fault the run injected. `kill`: SIGKILL of a worker process. `stall`: SIGSTOP at `at`, SIGCONT
 * at `until`, with `lapsed` once its heartbeat key had expired (past the lease). `restart`: Redis
 * killed at `at`. `cut`: the proxy dropped every connection at `at`. For both, `until` is when every
 * worker's heartbeat had got through again (until then any heartbeat key may expire), and `lapses`
 * names the workers seen without a key meanwhile.
 */
export interface Fault {
  kind: 'kill' | 'stall' | 'restart' | 'cut';
  at: number;
  until?: number;
  worker?: string;
  lapsed?: boolean;
  /** For restart and cut: the workers seen without a heartbeat key before every heartbeat was back. */
  lapses?: string[];
  /** The job the worker was running when the fault hit it, if known. */
  job?: string;
}

/** A job as the queue shows it at the end: GET /jobs/<id> (`missing` for a 404). */
export interface FinalJob {
  status: string;
  attempts: number;
  /** The client's number, from the job's data wherever Redis still holds it (waiting, processing, dead). */
  n?: number | null;
  /** The lists that hold it, such as `jobs:waiting` or `jobs:processing:w2`; none once it is done. */
  lists?: string[];
}

export interface History {
  settings: { leaseMs: number; jobTimeoutMs: number; maxAttempts: number };
  enqueues: Enqueue[];
  runs: Run[];
  faults: Fault[];
  final: {
    /** Every job id known: acknowledged, started, or in jobs:status. */
    jobs: Record<string, FinalJob>;
    /** The ids in jobs:dead, in order (an id twice is a job dead-lettered twice). */
    dead: string[];
  };
}

/** 412.3 → "0.41 s": how the checker's sentences say a moment. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
