/**
 * What the 01 bench's main thread and its cook and eater threads (kitchen-thread.ts) tell each
 * other: the job each thread gets, the messages it posts, and the slots of their shared control memory.
 */
import type { MessagePort } from 'node:worker_threads';

/** Slots of the control memory. */
export const GO = 0;
export const COOKS_DONE = 1;
export const PILL = -1;

export interface KitchenThreadJob {
  mode: 'queue' | 'post';
  role: 'cook' | 'eater';
  id: number;
  cooks: number;
  eaters: number;
  perCook: number;
  rounds: number;
  control: SharedArrayBuffer;
  /** queue mode: the file URL of bounded-queue.ts and the queue's memory. */
  module?: string;
  buffer?: SharedArrayBuffer;
  /** post mode: a cook's ports to each eater, or an eater's ports from each cook. */
  ports?: MessagePort[];
}

/** What a thread posts: `ready` once set up, `done` per round (eaters), `error` on failure. */
export type KitchenThreadMessage =
  | { type: 'ready' }
  | { type: 'done'; round: number; end: number; taken: number }
  | { type: 'error'; message: string };
