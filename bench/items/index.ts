/** Every item of the bench, in the order of the table. */
import type { Item } from '../item.ts';
import { boundedQueue } from './01-bounded-queue.ts';
import { washerDryer } from './02-washer-dryer.ts';
import { manyDryers } from './03-many-dryers.ts';
import { pubsubStatus } from './04-pubsub-status.ts';
import { clientUnblock } from './05-client-unblock.ts';
import { reliableQueue } from './06-reliable-queue.ts';
import { typescriptStart } from './typescript-start.ts';
import { verifyLessons } from './verify-lessons.ts';
import { warmStart } from './warm-start.ts';
import { firstFailure } from './first-failure.ts';
import { watchSteps } from './watch-steps.ts';
import { classroomLoad } from './classroom.ts';

export const items: Item[] = [boundedQueue, washerDryer, manyDryers, pubsubStatus, clientUnblock, reliableQueue, typescriptStart, warmStart, verifyLessons, watchSteps, firstFailure, classroomLoad];
