import type { Mutant } from '../index.ts';

export const mutants: Mutant[] = [
  { name: 'shared-connection', step: '03a', mistake: 'runs every dryer in the main thread on one shared connection', expect: /share one connection in the main thread/ },
  { name: 'main-thread-dryers', step: '03a', mistake: 'gives each dryer a connection but runs them all in the main thread', expect: /started 0 worker thread\(s\) for 3 dryers/ },
  { name: 'millisecond-timeout', step: '03a', mistake: 'gives BLPOP the timeout in milliseconds (timeoutSec * 1000)', expect: /timeout of 5000, but timeoutSec was 5/ },
  { name: 'polling-dryer', step: '03a', mistake: 'polls with LPOP and a short sleep until timeoutSec has passed', expect: /asked Redis for dishes with LPOP instead of waiting/ },
  { name: 'endless-dryer', step: '03a', mistake: 'asks again when BLPOP times out, so it never stops without quit', expect: /asked again after BLPOP answered null/ },
  { name: 'timeout-error-dryer', step: '03a', mistake: 'throws when BLPOP times out', expect: /A timeout is a normal end, not an error/ },
  { name: 'quit-passed-on', step: '03a', mistake: 'pushes quit back, so one quit stops every dryer', expect: /one quit was pushed for 2 dryers, yet 2 ended/ },
  { name: 'leaky-dryer', step: '03a', mistake: 'never closes its connection, so its thread never ends', expect: /close each dryer's connection/ },
  { name: 'early-resolve', step: '03a', mistake: 'resolves on the reports, before the threads have exited', expect: /resolved while \d dryer thread\(s\) were still running/ },
  { name: 'module-clock-throttle', step: '03b', mistake: 'keeps when it last started and last refreshed at the top of the module', expect: /not beside it at the top of the module|not at the top of the module/ },
  { name: 'module-start-throttle', step: '03b', mistake: 'keeps when the last job started at the top of the module', expect: /they share one clock/ },
  { name: 'no-throttle', step: '03b', mistake: 'never waits between jobs', expect: /the API allows one job per 50 ms/ },
  { name: 'refresh-once', step: '03b', mistake: 'refreshes only before the first job', expect: /with no refresh before it/ },
  { name: 'refresh-after-job', step: '03b', mistake: 'checks the refresh timer after each job instead of before', expect: /with no refresh before it/ },
  { name: 'unawaited-refresh', step: '03b', mistake: 'calls refresh() without awaiting it', expect: /before refresh\(\) had finished/ },
  { name: 'unawaited-handle', step: '03b', mistake: 'calls handle(job) without awaiting it', expect: /jobs ran at the same time/ },
  { name: 'llen-before-pop', step: '03b', mistake: 'asks LLEN before BLPOP, as the original script did', expect: /call LLEN after BLPOP/ },
  { name: 'prefetch-past-exit', step: '03b', mistake: 'pops the next job before looking at this one, so the job after exit is lost', expect: /after it had taken exit, and that job is lost/ },
  { name: 'sleep-after-job', step: '03b', mistake: 'sleeps intervalMs after each job instead of spacing the starts', expect: /you wait intervalMs after each job/ },
];
