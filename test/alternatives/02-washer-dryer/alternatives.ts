import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  { name: 'patient-dryer', step: '02b', differs: 'blocks with a finite timeout and blocks again whenever BLPOP answers null' },
  { name: 'one-rpush-washer', step: '02a', differs: 'pushes every dish and quit with one RPUSH' },
  { name: 'multi-washer', step: '02a', differs: 'pushes every dish and quit in one MULTI, one RPUSH each' },
  { name: 'pipelined-washer', step: '02a', differs: 'chains every RPUSH onto one pipeline and awaits its exec() once' },
];
