import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  { name: 'switch-status', step: '04a', differs: 'transition() as a switch on the status, with no table' },
  { name: 'shared-memory-ready', step: '04b', differs: '`ready` waits on the shared status with Atomics.waitAsync instead of a message from the worker' },
];
