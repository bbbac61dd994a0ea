import type { Mutant } from '../index.ts';

export const mutants: Mutant[] = [
  { name: 'untrimmed-stop-console', step: '05b', mistake: 'stops only at an empty line, not at a line of blanks', expect: /did not stop at the blank line: a line of spaces or a tab is blank/ },
  { name: 'zero-numbered-pool', step: '05a', mistake: 'numbers its workers from 0', expect: /numbered 1 and 2 \(the first worker is 1\)/ },
  { name: 'capped-pool', step: '05a', mistake: 'starts at most 3 workers, whatever workers says', expect: /with workers: [45]: start\(\) resolved while Redis listed 3 of your [45] workers/ },
  { name: 'timeout-stop', step: '05a', mistake: 'sets the flag and waits for the BLPOP timeout (no CLIENT UNBLOCK)', expect: /sent no CLIENT UNBLOCK: it is waiting out/ },
  { name: 'disconnect-stop', step: '05a', mistake: 'drops the workers\' connections with disconnect() instead of unblocking them', expect: /without sending CLIENT UNBLOCK: it ended the workers by dropping their connections/ },
  { name: 'flagless-loop', step: '05a', mistake: 'unblocks the workers but their loop never checks a stop flag', expect: /sent BLPOP again/ },
  { name: 'late-flag-check', step: '05a', mistake: 'checks the stop flag only when BLPOP comes back empty, not after a job', expect: /finished its job and sent BLPOP again/ },
  { name: 'shared-connection', step: '05a', mistake: 'gives all the workers one connection', expect: /your workers share a connection/ },
  { name: 'abandoning-stop', step: '05a', mistake: 'resolves stop() without waiting for the job in progress', expect: /stop\(\) resolved while handle\("first"\) was still running/ },
  { name: 'leaky-pool', step: '05a', mistake: 'ends the loops without quitting their connections', expect: /these connections were still open/ },
  { name: 'own-connection-unblock', step: '05a', mistake: 'sends CLIENT UNBLOCK on the worker\'s own, blocked connection', expect: /the worker's own connection/ },
  { name: 'unblock-once', step: '05a', mistake: 'sends CLIENT UNBLOCK once and takes an answer of 0 to mean the worker is busy, though its BLPOP may still be on its way', expect: /answered 0\)[^]*again while its BLPOP is on its way/ },
  { name: 'eager-start', step: '05a', mistake: 'resolves start() before the workers are blocked', expect: /start\(\) resolved while Redis listed 0 of your \d workers as blocked/ },
  { name: 'fragile-worker', step: '05a', mistake: 'lets an error from handle() end the worker', expect: /did not go on to "good"/ },
  { name: 'module-flag-pool', step: '05a', mistake: 'keeps the stop flag in a module-level variable that start() resets, so stopping one pool stops every pool', expect: /Two WorkerPools shared their stop flag/ },
  { name: 'watchdog-stop', step: '05a', mistake: 'starts a 5 s safety timer in stop() that it never clears', expect: /after stop\(\) resolved, your pool left 1 timer \(setTimeout or setInterval\) still pending/ },
  { name: 'eof-console', step: '05b', mistake: 'skips the empty line and stops only at the end of the input', expect: /after the empty line, .*still waited in BLPOP/ },
  { name: 'finally-less-console', step: '05b', mistake: 'stops the pool after the reading loop, not in a finally: when the input fails, the workers stay blocked', expect: /after runConsole\(\) rejected, these connections were still open: .*finally/ },
  { name: 'unawaited-stop-console', step: '05b', mistake: 'does not await pool.stop()', expect: /resolved while a job was still being handled/ },
];
