/**
 * What the classroom server and the workshops that join it say to each other, and what the board
 * reads: the one place the shapes are written down.
 *
 * Learners authenticate with `Authorization: Bearer <learnerId>.<secret>`; the instructor with
 * `Authorization: Bearer <token>` or `?token=<token>` (the board's EventSource cannot set headers).
 *
 *   POST /api/join       { code, name, secret? }        -> 201 new learner, 200 resumed: JoinReply
 *   POST /api/redis      (learner)                      -> 200 { url }: the learner's own Redis
 *   POST /api/results    (learner) ResultReport         -> 202; the same runId again -> 409
 *   GET  /board          (instructor)                   -> the board's page
 *   GET  /api/board      (instructor)                   -> BoardSnapshot
 *   GET  /api/events     (instructor)                   -> server-sent events, `board` with a BoardSnapshot
 *   GET  /api/export.json, /api/export.csv (instructor) -> the board to keep
 */
import type { StepStatus } from '../checks/check-result.ts';

export interface JoinRequest {
  /** The class code printed by `npm run classroom`, part of the join address. */
  code: string;
  name: string;
  /** Given back at the first join; sending it again resumes the same learner on another machine. */
  secret?: string;
}

export interface JoinReply {
  learnerId: string;
  name: string;
  secret: string;
  resumed: boolean;
}

export interface RedisReply {
  /** `redis://:<password>@host:port`: a server of the learner's own. */
  url: string;
}

/** One failing check, in the learner's words as the report printed it (cut to 500 characters). */
export interface FailingCheck {
  check: string;
  message: string;
}

export interface StepReport {
  step: string;
  status: StepStatus;
  passed: number;
  checks: number;
  failing: FailingCheck[];
}

export interface ResultReport {
  /** Unique per run of the checks: a report sent twice (a retry, a replay) counts once. */
  runId: string;
  /** When the run ended, ISO time, by the learner's clock. */
  at: string;
  /** `verify` or `watch` (the menu's check counts as verify). */
  via: 'verify' | 'watch';
  steps: StepReport[];
}

export interface LearnerStep {
  status: StepStatus;
  passed: number;
  checks: number;
  /** When the server received the last result, ISO time (the server's clock: learners' clocks differ). */
  at: string;
  /** When the step started failing without passing since, ISO time; absent while it passes. */
  failingSince?: string;
  failing: FailingCheck[];
  /** How many results the step has had. */
  runs: number;
}

export interface BoardLearner {
  id: string;
  /** Text: the board must never read it as markup. */
  name: string;
  joinedAt: string;
  /** The last result or join, ISO time. */
  lastSeen: string;
  /** The step of the learner's latest result. */
  current?: string;
  /** Set when the learner's current step has failed, with no pass, for more than ten minutes. */
  stuck?: { step: string; since: string };
  steps: Record<string, LearnerStep>;
}

export interface StepSummary {
  passed: number;
  failing: number;
  /** The failing check most learners are on now, and how many. */
  commonFailure?: FailingCheck & { learners: number };
}

export interface BoardSnapshot {
  /** When the snapshot was made, ISO time. */
  at: string;
  steps: Array<{ id: string; title: string; lesson: string }>;
  learners: BoardLearner[];
  summary: Record<string, StepSummary>;
}

/** A learner counts as stuck after this long on failing checks of one step. */
export const STUCK_AFTER_MS = 10 * 60_000;
