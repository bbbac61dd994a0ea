import type { Alternative } from '../index.ts';

export const alternatives: Alternative[] = [
  { name: 'unblock-with-error', step: '05a', differs: 'stop() sends CLIENT UNBLOCK <id> ERROR, and the loop treats the UNBLOCKED error as the signal to look at its flag' },
  { name: 'stop-opens-its-own-connection', step: '05a', differs: 'start() watches the workers arrive on a connection it then closes; stop() opens a new one to send CLIENT UNBLOCK' },
];
