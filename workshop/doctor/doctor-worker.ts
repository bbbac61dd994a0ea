/** A worker thread written in TypeScript: `npm run doctor` starts it to see that tsx reaches worker threads. */
import { parentPort } from 'node:worker_threads';

const answer: number = 42;
parentPort?.postMessage(answer);
