import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  { name: 'natural-throttle', step: '03b', differs: 'sleeps once for what is left of the interval, with a fractional setTimeout', runs: 5 },
  { name: 'finite-timeout-throttle', step: '03b', differs: 'blocks with a 2 s timeout and asks again when BLPOP answers null' },
  {
    name: 'channel-dryers',
    step: '03a',
    differs: 'each dryer posts every dish as it is dried on a MessagePort of its own, and the main thread builds the report; the loop runs while no reason is set',
  },
];
