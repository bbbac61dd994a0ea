import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  {
    name: 'generator-worker',
    step: '06a',
    differs:
      'jobs come from an async generator of BLMOVEs read with for await; stop is an AbortSignal; each job has an AbortController that its time limit or handBack() aborts; the loop runs the hand-back script itself; the heartbeat is a chain of setTimeout; the acknowledgement is a WATCHed MULTI that records nothing once the job has left the processing list, not a script',
  },
  {
    name: 'watch-multi-reaper',
    step: '06b',
    differs: 'no Lua: WATCH the alive key, the processing list and the attempts, read, then MULTI with LMOVE, HINCRBY and HSET, read again when EXEC answers null',
  },
  {
    name: 'whole-list-transaction-reaper',
    step: '06b',
    differs:
      'no Lua and no LMOVE: WATCH, LRANGE the dead worker\'s list, then one MULTI that DELetes it and LPUSHes (or RPUSHes to dead) every job, read again when EXEC answers null; rounds on a setInterval that skips a tick while one runs',
  },
  {
    name: 'route-table-server',
    step: '06c',
    differs:
      'routes from a table of path patterns and methods; the body pulled in paused mode into one buffer of maxBodyBytes, its depth counted on the bytes as they come; a fatal TextDecoder; the idempotent enqueue as an ioredis defineCommand',
  },
  {
    name: 'deadline-signal-close',
    step: '06d',
    differs:
      'close() is a list of small helpers, one per step; the deadline is one AbortSignal.timeout() that the jobs race, and that cuts the requests in flight when it aborts',
    runs: 5,
  },
];
