import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  { name: 'unblock-with-error', step: '05a', differs: 'stop() sends CLIENT UNBLOCK <id> ERROR, and the loop treats the UNBLOCKED error as the signal to look at its flag' },
  { name: 'stop-opens-its-own-connection', step: '05a', differs: 'start() watches the workers arrive on a connection it then closes; stop() opens a new one to send CLIENT UNBLOCK' },
  {
    name: 'line-event-console',
    step: '05b',
    differs: "no for await: each 'line' event chains an RPUSH onto the one before; the empty line calls close(), and a flag drops the lines readline still emits after it",
    runs: 5,
  },
];
