/** A worker thread written in TypeScript: `npm run doctor` starts it to see that Node runs TypeScript in a thread by itself. */
import { parentPort } from 'node:worker_threads';

const answer: number = 42;
parentPort?.postMessage(answer);
