import type { Mutant } from '../index.ts';

export const mutants: Mutant[] = [
  { name: 'lpush-washer', step: '02a', mistake: 'pushes on the head with LPUSH', expect: /pushed on the head \(LPUSH\)/ },
  { name: 'no-quit-washer', step: '02a', mistake: 'forgets to push quit', expect: /must end with "quit"/ },
  { name: 'unawaited-washer', step: '02a', mistake: 'fires the RPUSHes without awaiting them', expect: /still unanswered: await each RPUSH/ },
  { name: 'quit-with-last-dish', step: '02a', mistake: 'sends quit in the same RPUSH as the last dish, so with no dishes quit never goes out', expect: /with no dishes at all, your washer left the list empty/ },
  { name: 'twice-read-dishes', step: '02a', mistake: 'counts the dishes first, then loops over them again', expect: /can be read only once/ },
  { name: 'unawaited-multi-washer', step: '02a', mistake: 'queues every RPUSH in a MULTI and does not await exec()', expect: /still unanswered/ },
  { name: 'fixed-name-washer', step: '02a', mistake: 'always pushes onto "dishes"', expect: /must push onto "plates"/ },
  { name: 'polling-dryer', step: '02b', mistake: 'polls with LPOP and a sleep', expect: /never waited inside Redis: it kept asking with LPOP/ },
  { name: 'quitless-dryer', step: '02b', mistake: 'never checks for quit', expect: /took quit from the list and then waited for more/ },
  { name: 'millisecond-dryer', step: '02b', mistake: 'gives BLPOP a timeout in milliseconds (30 s, it thinks) and stops when it passes', expect: /timeout of 30000 \(seconds, not milliseconds\)/ },
  { name: 'impatient-dryer', step: '02b', mistake: 'gives up when BLPOP times out after 1 s', expect: /timeout of 1 \(seconds/ },
  { name: 'loose-quit-dryer', step: '02b', mistake: 'stops at any dish that reads "quit" once trimmed and lower-cased', expect: /only the exact word "quit" ends the drying/ },
  { name: 'prefix-quit-dryer', step: '02b', mistake: 'stops at any dish that starts with "quit"', expect: /only the exact word "quit" ends the drying/ },
  { name: 'eager-dryer', step: '02b', mistake: 'calls onDried without awaiting it', expect: /await onDried\(dish\) before the next BLPOP/ },
];
