/**
 * The class's own state, kept in a Redis of the classroom server's (append-only file on, every
 * write synced), so that a restart loses nothing: the class code and instructor token, each
 * learner (name, hashed secret, times) and each learner's last result per step.
 *
 *   class                   hash: code, token, createdAt
 *   learners                hash: learner id -> Learner JSON
 *   names                   hash: name, lower case -> learner id
 *   steps:<learner id>      hash: step id -> LearnerStep JSON
 *   run:<learner id>:<run>  a report already taken (expires after a day): replays are refused
 *
 * The server keeps the same data in memory to draw the board; Redis is where it survives.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LearnerStep } from './protocol.ts';

export interface Learner {
  id: string;
  name: string;
  /** sha256 of the secret, hex. */
  secretHash: string;
  joinedAt: string;
  lastSeen: string;
  current?: string;
  /** The learner's own Redis's port, reused after a restart when it is free. */
  port?: number;
  /** The learner's own Redis's password: it stays the same across restarts. */
  redisPassword: string;
}

export interface ClassInfo {
  code: string;
  token: string;
  createdAt: string;
}

export interface Loaded {
  info: ClassInfo;
  learners: Map<string, Learner>;
  steps: Map<string, Map<string, LearnerStep>>;
}

const REPLAY_WINDOW_S = 24 * 3600;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, hash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const kept = Buffer.from(hash, 'hex');
  return given.length === kept.length && timingSafeEqual(given, kept);
}

/** A code a person can read out and type: four letters, a dash, four letters, no look-alikes. */
export function newCode(): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(8);
  const chars = [...bytes].map((byte) => letters[byte % letters.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export class ClassState {
  readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** Reads everything, creating the class's code and token the first time. */
  async load(): Promise<Loaded> {
    await this.redis.hsetnx('class', 'code', newCode());
    await this.redis.hsetnx('class', 'token', newSecret());
    await this.redis.hsetnx('class', 'createdAt', new Date().toISOString());
    const info = (await this.redis.hgetall('class')) as unknown as ClassInfo;
    const learners = new Map<string, Learner>();
    for (const [id, json] of Object.entries(await this.redis.hgetall('learners'))) learners.set(id, JSON.parse(json) as Learner);
    const steps = new Map<string, Map<string, LearnerStep>>();
    for (const id of learners.keys()) {
      const entries = Object.entries(await this.redis.hgetall(`steps:${id}`));
      steps.set(id, new Map(entries.map(([step, json]) => [step, JSON.parse(json) as LearnerStep])));
    }
    return { info, learners, steps };
  }

  /** Stores a new learner, unless the name was taken meanwhile: then false. */
  async addLearner(learner: Learner): Promise<boolean> {
    const claimed = await this.redis.hsetnx('names', learner.name.toLowerCase(), learner.id);
    if (!claimed) return false;
    await this.saveLearner(learner);
    return true;
  }

  async saveLearner(learner: Learner): Promise<void> {
    await this.redis.hset('learners', learner.id, JSON.stringify(learner));
  }

  /** True the first time a run id is seen for a learner, false for a replay. */
  async claimRun(learnerId: string, runId: string): Promise<boolean> {
    return (await this.redis.set(`run:${learnerId}:${runId}`, '1', 'EX', REPLAY_WINDOW_S, 'NX')) === 'OK';
  }

  /** A result, atomically: the steps it changed and the learner's times. */
  async saveResult(learner: Learner, steps: ReadonlyMap<string, LearnerStep>): Promise<void> {
    const fields = [...steps].flatMap(([step, record]) => [step, JSON.stringify(record)]);
    const multi = this.redis.multi().hset('learners', learner.id, JSON.stringify(learner));
    if (fields.length > 0) multi.hset(`steps:${learner.id}`, ...fields);
    await multi.exec();
  }
}
