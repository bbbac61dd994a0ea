/**
 * The history check's HTTP client: posts numbered jobs at a steady pace and records what each POST
 * came to, as a client can know it (history.ts's Enqueue). A POST that ends unknown is sent again
 * with the same Idempotency-Key, so that the queue must turn it into one job, not two.
 */
import { request } from 'node:http';
import type { Enqueue } from './history.ts';
import { now, type JobData } from './recorder.ts';
import { pause } from '../lesson-06.ts';

export interface PostOptions {
  /** The front, such as `http://127.0.0.1:40123`. */
  url: string;
  count: number;
  /** Job n is first sent at t0 + n * spacingMs. */
  spacingMs: number;
  t0: number;
  /** The body of job n. */
  data: (n: number) => JobData;
  /** Keys are `${keyPrefix}-${n}`. */
  keyPrefix: string;
  /** A POST unanswered this long ends unknown. @default 2000 */
  timeoutMs?: number;
  /** Tries per job, while they end unknown. @default 3 */
  tries?: number;
}


/** Posts every job; resolves with every try of every POST once all have ended. */
export async function postJobs(options: PostOptions): Promise<Enqueue[]> {
  const { count, spacingMs, t0, tries = 3 } = options;
  const ops: Enqueue[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, n) => {
      await pause(t0 + n * spacingMs - now());
      for (let attempt = 1; attempt <= tries; attempt++) {
        const op = await postOnce(options, n, attempt);
        ops.push(op);
        if (op.outcome !== 'unknown') break;
        await pause(100);
      }
    }),
  );
  return ops.sort((a, b) => a.at - b.at);
}

function postOnce(options: PostOptions, n: number, attempt: number): Promise<Enqueue> {
  const { url, t0, timeoutMs = 2000 } = options;
  const body = JSON.stringify(options.data(n));
  const at = now() - t0;
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Enqueue['outcome'], fields: { id?: string; why?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ n, try: attempt, at, end: now() - t0, outcome, ...fields });
    };
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'idempotency-key': `${options.keyPrefix}-${n}`, connection: 'close' };
    const req = request(new URL('/jobs', url), { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', (error) => done('unknown', { why: `the answer broke off: ${error.message}` }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const why = `${status} ${text.slice(0, 120)}`;
        if (status === 202) {
          try {
            const id = (JSON.parse(text) as { id?: unknown }).id;
            if (typeof id === 'string') return done('ok', { id });
          } catch {
            // falls through: a 202 without an id tells the client nothing
          }
          return done('unknown', { why: `202 without an id: ${text.slice(0, 80)}` });
        }
        // A 4xx refused the job; a 5xx may have come after the job was enqueued.
        done(status >= 400 && status < 500 ? 'failed' : 'unknown', { why });
      });
    });
    const timer = setTimeout(() => {
      done('unknown', { why: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Refused: the request never reached the server.
      done(error.code === 'ECONNREFUSED' ? 'failed' : 'unknown', { why: error.code ?? error.message });
    });
    req.end(body);
  });
}
