import { randomUUID } from 'node:crypto';
import type { Redis } from '#workshop/redis';

/** A job as it waits in Redis: this object as JSON text. `id` is unique; `data` is whatever was posted. */
export interface Job {
  id: string;
  data: unknown;
}

/** Where a job is: each status is one place in Redis (see `keys`). */
export type JobStatus = 'waiting' | 'processing' | 'done' | 'failed' | 'dead';

/** What a finished job left in `keys.results`: the handler's value, or the message of what it threw. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Every key of the queue. `connect()` puts the workshop's prefix in front of each for you.
 * A job is in exactly one of: `waiting`, one `processing(worker)` list, `results` (done or failed), `dead`.
 */
export const keys = {
  /** List of job JSON: producers RPUSH at the tail, workers take from the head. */
  waiting: 'jobs:waiting',
  /** List of the job JSON a worker has taken and not yet acknowledged. */
  processing: (worker: string) => `jobs:processing:${worker}`,
  /** String with an expiry (PX): present while the worker is alive. */
  alive: (worker: string) => `jobs:alive:${worker}`,
  /** Set of the ids of the workers that may hold jobs: the reaper looks here. */
  workers: 'jobs:workers',
  /** Hash id → JobStatus, for the HTTP front. */
  status: 'jobs:status',
  /** Hash id → Outcome as JSON: one field per finished job. */
  results: 'jobs:results',
  /** Hash id → how many times a worker died holding the job. */
  attempts: 'jobs:attempts',
  /** List of the job JSON that failed too often. */
  dead: 'jobs:dead',
  /** Counter: how many jobs were ever enqueued. */
  enqueued: 'jobs:enqueued',
  /** Hash id → how many times the demo task ran (tasks.ts writes it). */
  runs: 'jobs:runs',
  /** String → the id of the job first posted with this Idempotency-Key; expires (PX). */
  idempotency: (key: string) => `jobs:idempotency:${key}`,
} as const;

/** Reads job JSON as stored in Redis; throws a TypeError when it is not a job. */
export function parseJob(raw: string): Job {
  const job = JSON.parse(raw) as Partial<Job> | null;
  if (typeof job !== 'object' || job === null || typeof job.id !== 'string') {
    throw new TypeError(`Expected job JSON with a string \`id\`, got \`${raw.slice(0, 80)}\``);
  }
  return { id: job.id, data: job.data ?? null };
}

const LEADING_ID = /^\{"id":"([^"\\]*)"[,}]/;

/**
 * The id a job's text is known by everywhere (status, attempts, results), by the worker and the
 * reaper alike, even when the text cannot be decoded: the `id` that enqueue() writes first, read
 * from the text itself; else the `id` the decoder finds; else the text itself. Redis' decoder
 * (cjson) is stricter than JSON.parse (at most 1000 levels deep, no lone UTF-16 surrogate such as
 * `\ud800`): keying by what each one decodes would key one job two ways. LUA_JOB_ID is the same rule.
 */
export function jobId(raw: string): string {
  const leading = LEADING_ID.exec(raw);
  if (leading) return leading[1]!;
  try {
    return parseJob(raw).id;
  } catch {
    return raw;
  }
}

/** jobId() in Lua: put it at the top of a script, then call job_id(raw). */
export const LUA_JOB_ID = `
local function job_id(raw)
  local leading = string.match(raw, '^{"id":"([^"\\\\]*)"[,}]')
  if leading then return leading end
  local ok, job = pcall(cjson.decode, raw)
  if ok and type(job) == 'table' and type(job.id) == 'string' then return job.id end
  return raw
end
`;

/**
 * Puts a new job at the tail of the waiting list and returns its id.
 *
 * @example
 * const id = await enqueue(conn, { n: 7 });
 */
export async function enqueue(conn: Redis, data: unknown): Promise<string> {
  if (data === undefined || typeof data === 'function') throw new TypeError(`Expected \`data\` to be JSON, got \`${String(data)}\` (${typeof data})`);
  const id = randomUUID();
  // Three commands, one after the other.
  await conn.rpush(keys.waiting, JSON.stringify({ id, data }));
  await conn.hset(keys.status, id, 'waiting');
  await conn.incr(keys.enqueued);
  return id;
}

/** What the HTTP front shows about one job. */
export interface JobView {
  id: string;
  status: JobStatus;
  /** How many workers died holding it. */
  attempts: number;
  /** Once done: what the handler returned. */
  result?: unknown;
  /** Once failed: what the handler threw. */
  error?: string;
}

/** Given: the status and outcome of a job, or undefined when there is no such job. */
export async function readJob(conn: Redis, id: string): Promise<JobView | undefined> {
  // One transaction, so the status and the result belong together.
  const replies = (await conn.multi().hget(keys.status, id).hget(keys.results, id).hget(keys.attempts, id).exec()) ?? [];
  const [status, outcome, attempts] = replies.map(([error, value]) => (error ? null : (value as string | null)));
  if (!status) return undefined;
  const view: JobView = { id, status: status as JobStatus, attempts: Number(attempts ?? 0) };
  if (outcome) {
    const parsed = JSON.parse(outcome) as Outcome;
    if (parsed.ok) view.result = parsed.value;
    else view.error = parsed.error;
  }
  return view;
}
