import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  { name: 'futex-mutex', step: '01a', differs: 'a three-state mutex (free, held, held with waiters) that notifies only when someone waits' },
  { name: 'two-counter-queue', step: '01b', differs: 'putters sleep on a count of takes and takers on a count of puts, instead of one change counter' },
  {
    name: 'counted-kitchen',
    step: '01c',
    differs:
      'the eaters start first; each thread gets its job and the buffer in a postMessage, not workerData; one promise counts the exits, and the last cook to exit puts the pills',
    runs: 5,
  },
];
