/**
 * The load client of the lesson-06 checks, run as a second process:
 *
 *   node test/support/lesson-06-load.ts <base URL> <requests> <concurrency> <time limit ms>
 *
 * Sends `requests` POST /jobs (body `{"n": i}`), at most `concurrency` at a time over keep-alive
 * connections, and stops starting new ones when the time limit has passed. Prints one JSON line:
 * { requests, accepted, ids, statuses, errors, ms }. Loopback only: it refuses any other host.
 */
import { Agent, request } from 'node:http';

const [base = '', countText = '300', concurrencyText = '10', limitText = '10000'] = process.argv.slice(2);
const url = new URL('/jobs', base);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new RangeError(`The load client only talks to loopback, got ${url.hostname}`);
const count = Number(countText);
const concurrency = Number(concurrencyText);
const deadline = Date.now() + Number(limitText);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

const ids: string[] = [];
const statuses: Record<string, number> = {};
const errors: string[] = [];
let started = 0;

function post(n: number): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ n });
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        if (res.statusCode === 202) {
          try {
            ids.push(String((JSON.parse(text) as { id: unknown }).id));
          } catch {
            errors.push(`202 with a body that is not JSON: ${text.slice(0, 80)}`);
          }
        }
        resolve();
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (error) => {
      errors.push(error.message);
      resolve();
    });
    req.end(body);
  });
}

const t0 = Date.now();
async function lane(): Promise<void> {
  while (started < count && Date.now() < deadline) await post(started++);
}
await Promise.all(Array.from({ length: concurrency }, lane));
agent.destroy();
console.log(JSON.stringify({ requests: started, accepted: ids.length, ids, statuses, errors: errors.slice(0, 10), errorCount: errors.length, ms: Date.now() - t0 }));
