import type { Mutant } from '../index.ts';

export const mutants: Mutant[] = [
  { name: 'blpop-worker', step: '06a', mistake: 'takes the job with BLPOP, so it lives only in the worker while it runs', expect: /took the job with BLPOP: .*BLMOVE/ },
  { name: 'ack-first-worker', step: '06a', mistake: 'acknowledges (LREM) before running the job', expect: /acknowledged it \(LREM\) before running it/ },
  { name: 'reencoded-ack-worker', step: '06a', mistake: 'LREMs JSON.stringify(job) instead of the exact text BLMOVE returned', expect: /still holds the job.*exact string BLMOVE returned/ },
  { name: 'same-connection-heartbeat', step: '06a', mistake: 'renews the heartbeat on the connection that is blocked in BLMOVE', expect: /expired while the worker waited in BLMOVE/ },
  { name: 'unregistered-heartbeat', step: '06a', mistake: 'renews only the alive key, so a worker reaped after a stall is never registered again', expect: /not in jobs:workers again/ },
  { name: 'failing-timeout-worker', step: '06a', mistake: 'records a job past jobTimeoutMs as failed for good instead of retrying it', expect: /should have timed out twice and be in jobs:dead/ },
  { name: 'stop-only-handback-worker', step: '06a', mistake: 'handBack() waits for the job in progress like stop(), and hands nothing back', expect: /handBack\(\) did not resolve within 2 s while handle\(\) never settles/ },
  { name: 'lrange-reaper', step: '06b', mistake: 'requeues with LRANGE, LREM and RPUSH/LPUSH instead of one atomic step', expect: /moved the job with LRANGE, LREM.*two places or in none/ },
  { name: 'heartbeat-blind-reaper', step: '06b', mistake: 'gives back every processing list, also those of live workers', expect: /although jobs:alive:w1 exists/ },
  { name: 'countless-reaper', step: '06b', mistake: 'never counts attempts, so a poison job comes back for ever', expect: /put it back in jobs:waiting again: a poison job/ },
  { name: 'raw-keyed-reaper', step: '06b', mistake: 'keys a job cjson cannot decode by its text, not by the id the worker and GET use', expect: /jobs:status says \["processing","processing"\].*keyed them another way/ },
  { name: 'unlimited-body-server', step: '06c', mistake: 'reads the whole body before it looks at its size', expect: /had not answered a 50 MB body announced in Content-Length/ },
  { name: 'fragile-json-server', step: '06c', mistake: 'calls JSON.parse without try/catch in an async handler with no .catch()', expect: /your server process died .* after POST \/jobs with the body \{"n": 1/ },
  { name: 'inviting-continue-server', step: '06c', mistake: 'has no checkContinue listener: Node answers 100 Continue to a 10 MB body it then refuses', expect: /answered "100 Continue" to a POST that announced 10 MB/ },
  { name: 'deep-json-server', step: '06c', mistake: 'bounds no depth: JSON.parse reads 5000 levels, and JSON.stringify in enqueue() overflows the stack (500) or, on a Node with a deeper stack, takes the job (202)', expect: /nested 5000 deep .* was answered (500|202) .*expected 400.*Count how deep the brackets nest/ },
  { name: 'racy-idempotency-server', step: '06c', mistake: 'looks the Idempotency-Key up with GET, then SETs it: requests at the same moment each make a job', expect: /at the same moment got \d+ different answers/ },
  { name: 'kill-close', step: '06d', mistake: 'ends the blocked workers with CLIENT KILL instead of CLIENT UNBLOCK', expect: /sent no CLIENT UNBLOCK/ },
  { name: 'abandoning-close', step: '06d', mistake: 'resolves close() without waiting for the job in progress', expect: /close\(\) resolved while a job was still running/ },
  { name: 'waiting-close', step: '06d', mistake: 'ignores deadlineMs and waits for a job that never finishes', expect: /close\(\{ deadlineMs: 300 \}\) has not returned after 2\.5 s/ },
  { name: 'server-last-close', step: '06d', mistake: 'closes the HTTP server only after the workers have stopped', expect: /the HTTP port still took new connections while a job was running/ },
];
