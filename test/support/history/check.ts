/**
 * The history checker: a pure function over what a run of the lesson-06 queue recorded
 * (history.ts). It judges four rules and names the job and what happened to it, in the lesson's words:
 *
 * 1. Every job acknowledged with 202 ends done, or in jobs:dead exactly once with attempts ==
 *    maxAttempts (a job that got into the queue without a 202 too: a queue finishes what it holds).
 * 2. Every run of a job after its first is explained by what happened to the run before: its
 *    worker was killed (SIGKILL) or stalled past its lease (SIGSTOP) in between, or Redis was away
 *    (restarted, connections cut) while it held the job, or that run passed the time limit.
 *    A worker stalled while it held a job unseen (a BLMOVE answered, the run not begun) runs that
 *    job once it is resumed, before or after the worker the reaper handed it to: a stall that began
 *    before both runs explains them when its worker's run is the first it began after the stall.
 * 3. Nothing runs that was never enqueued: a job's number comes from a POST that was acknowledged
 *    or ended unknown, never from one that certainly failed, nor from none.
 * 4. One POST (one Idempotency-Key), one job: an unknown one may be in the queue or not, never twice.
 */
import { seconds, type Enqueue, type FinalJob, type History, type Run } from './history.ts';

export type DuplicateReason = 'killed' | 'stalled' | 'outage' | 'time limit' | 'unexplained';

export interface Counts {
  /** Jobs the client posted (distinct numbers). */
  enqueued: number;
  /** Of those, how many it sent again (with the same Idempotency-Key) after a try ended unknown. */
  resent: number;
  /** Jobs answered 202 (on some try). */
  acknowledged: number;
  /** Jobs never answered 202 whose POST may have gone through; `present` of them are in the queue. */
  unknown: { total: number; present: number };
  /** Jobs in the queue that ended done, and in jobs:dead. */
  done: number;
  dead: number;
  /** Runs after a job's first, by what explains them. */
  duplicates: Record<DuplicateReason, number>;
  /** Jobs acknowledged with 202 that are neither done nor rightly dead: must be 0. */
  lost: number;
}

export interface Verdict {
  ok: boolean;
  /** One sentence per broken rule, naming the job. */
  problems: string[];
  counts: Counts;
}

interface Life {
  id: string;
  n: number | null;
  starts: Run[];
  finishes: Run[];
  final?: FinalJob;
  deadTimes: number;
}

/**
 * A tolerance for the time limit. The worker starts its timer, then calls the handler, which reads
 * the clock: on a loaded machine the process can be put aside in between for tens of ms, and each
 * process has its own clock origin. Measured: a second run 490 ms after a first that overran a 500 ms limit.
 */
const SLACK_MS = 100;
/** How long after its run finished a job may still wait for its acknowledgement. */
const ACK_MS = 50;

export function checkHistory(history: History): Verdict {
  const { maxAttempts } = history.settings;
  const problems: string[] = [];
  const lives = livesOf(history);
  const byN = new Map<number, Enqueue[]>();
  for (const op of history.enqueues) byN.set(op.n, [...(byN.get(op.n) ?? []), op]);
  const counts: Counts = {
    enqueued: byN.size,
    resent: [...byN.values()].filter((ops) => ops.length > 1).length,
    acknowledged: 0,
    unknown: { total: 0, present: 0 },
    done: 0,
    dead: 0,
    duplicates: { killed: 0, stalled: 0, outage: 0, 'time limit': 0, unexplained: 0 },
    lost: 0,
  };

  // Rules 3 and 4, per POST: which jobs came of it.
  const claimed = new Set<string>();
  for (const [n, ops] of byN) {
    const jobs = [...lives.values()].filter((life) => life.n === n && present(life));
    for (const life of jobs) claimed.add(life.id);
    const oks = ops.filter((op) => op.outcome === 'ok');
    const okIds = [...new Set(oks.map((op) => op.id!))];
    if (okIds.length > 0) counts.acknowledged++;
    else if (ops.some((op) => op.outcome === 'unknown')) {
      counts.unknown.total++;
      if (jobs.length > 0) counts.unknown.present++;
    }
    if (okIds.length > 1) {
      const answers = okIds.map((id) => `${id} at ${seconds(oks.find((op) => op.id === id)!.end)}`);
      problems.push(`job ${n} was acknowledged with two ids, ${answers.join(' and ')}: a POST sent again with the same Idempotency-Key must get the first id back`);
    }
    const extra = jobs.filter((life) => !okIds.includes(life.id));
    if (okIds.length > 0 && extra.length > 0) {
      problems.push(`job ${n} was enqueued twice: besides ${okIds[0]} (acknowledged with 202 at ${seconds(oks[0]!.end)}), the queue also has ${extra.map(whereabouts).join('; ')}`);
    } else if (okIds.length === 0 && ops.every((op) => op.outcome === 'failed') && jobs.length > 0) {
      problems.push(`job ${n} is in the queue (${jobs.map(whereabouts).join('; ')}) although every POST of it failed (${ops.map((op) => op.why).join('; ')}): a refused job must leave no trace`);
    } else if (okIds.length === 0 && jobs.length > 1) {
      problems.push(`job ${n}'s POST ended unknown (${ops.map((op) => op.why).join('; ')}) and the queue has it ${jobs.length} times: ${jobs.map(whereabouts).join('; ')}. It may be there or not, but once`);
    }
  }
  for (const life of lives.values()) {
    if (claimed.has(life.id) || !present(life)) continue;
    problems.push(`${name(life)} is in the queue (${whereabouts(life)}) but the client never posted it${life.n === null ? ' (its data has no number)' : ''}: nothing may run that was never enqueued`);
  }

  // Rule 1, per job acknowledged or in the queue: a 202 for a job Redis does not know is a lost job too.
  for (const life of lives.values()) {
    const acked = life.n !== null && (byN.get(life.n) ?? []).find((op) => op.outcome === 'ok' && op.id === life.id);
    if (!acked && !present(life)) continue;
    const status = life.final?.status ?? 'missing';
    const attempts = life.final?.attempts ?? 0;
    if (status === 'done' && life.deadTimes === 0) {
      counts.done++;
      if (life.finishes.length === 0) problems.push(`${name(life)} says done, but no worker ever finished a run of it (${story(life)})`);
      continue;
    }
    if (status === 'dead' && life.deadTimes === 1 && attempts === maxAttempts) {
      counts.dead++;
      continue;
    }
    if (acked) counts.lost++;
    const said = `GET /jobs/<id> says ${status === 'missing' ? '404' : `${status} after ${attempts} attempt(s)`}`;
    const how = acked ? `was acknowledged with 202 at ${seconds(acked.end)}` : 'got into the queue from a POST that ended unknown';
    if (status === 'dead' || life.deadTimes > 0) {
      const place = life.deadTimes === 0 ? 'is not in the dead list' : life.deadTimes === 1 ? 'is in the dead list' : `is in the dead list ${life.deadTimes} times`;
      problems.push(`${name(life)} ${how}; ${said} and it ${place}, with maxAttempts ${maxAttempts}: a job is dead-lettered once, when its attempts reach maxAttempts, and is then not done (${story(life)})`);
    } else {
      const lists = life.final?.lists;
      const held = lists === undefined ? '' : lists.length > 0 ? ` and Redis holds it in ${lists.join(' and ')}` : ' and no list of Redis holds it';
      problems.push(`${name(life)} ${how} but never finished and is not in the dead list; ${said}${held} (${story(life)})`);
    }
  }

  // Rule 2, per job run more than once.
  for (const life of lives.values()) {
    for (let k = 1; k < life.starts.length; k++) {
      const before = life.starts[k - 1]!;
      const next = life.starts[k]!;
      const reason = explain(history, life, before, next);
      counts.duplicates[reason]++;
      if (reason === 'unexplained') {
        const finish = finishOf(life, before);
        problems.push(
          `${name(life)} ran again: by ${before.worker} at ${seconds(before.at)} (${finish ? `finished at ${seconds(finish.at)}` : 'never finished'}), then by ${next.worker} at ${seconds(next.at)}, ` +
            `and nothing explains the second run: ${before.worker} was not killed, not stalled, Redis was not away while it held the job, and the first run did not pass the time limit ` +
            `(${history.settings.jobTimeoutMs} ms). A job runs again only when its worker is gone or gave it up`,
        );
      }
    }
  }
  return { ok: problems.length === 0, problems, counts };
}

/** The checker's report: the counts in one paragraph, then each problem. */
export function formatVerdict(verdict: Verdict, limit = 10): string {
  const c = verdict.counts;
  const reasons = (['killed', 'stalled', 'outage', 'time limit', 'unexplained'] as const).filter((reason) => c.duplicates[reason] > 0).map((reason) => `${c.duplicates[reason]} ${REASON_WORDS[reason]}`);
  const duplicates = Object.values(c.duplicates).reduce((a, b) => a + b, 0);
  const lines = [
    `${c.enqueued} jobs posted (${c.resent} sent again after no answer): ${c.acknowledged} acknowledged with 202, ${c.unknown.total} unknown (${c.unknown.present} of them in the queue).`,
    `${c.done} done, ${c.dead} dead, ${c.lost} lost; ${duplicates} duplicate run(s)${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}.`,
  ];
  if (verdict.problems.length > 0) {
    lines.push('', ...verdict.problems.slice(0, limit).map((problem) => `- ${problem}`));
    if (verdict.problems.length > limit) lines.push(`- and ${verdict.problems.length - limit} more`);
  }
  return lines.join('\n');
}

const REASON_WORDS: Record<DuplicateReason, string> = {
  killed: 'after a SIGKILL',
  stalled: 'after a stall past the lease',
  outage: 'around a Redis outage',
  'time limit': 'past the time limit',
  unexplained: 'UNEXPLAINED',
};

function livesOf(history: History): Map<string, Life> {
  const lives = new Map<string, Life>();
  const life = (id: string) => {
    let found = lives.get(id);
    if (!found) lives.set(id, (found = { id, n: null, starts: [], finishes: [], deadTimes: 0 }));
    return found;
  };
  for (const run of [...history.runs].sort((a, b) => a.at - b.at)) {
    const entry = life(run.job);
    entry.n ??= run.n;
    (run.kind === 'start' ? entry.starts : entry.finishes).push(run);
  }
  for (const [id, final] of Object.entries(history.final.jobs)) {
    const entry = life(id);
    entry.final = final;
    entry.n ??= final.n ?? null;
  }
  for (const id of history.final.dead) life(id).deadTimes++;
  for (const op of history.enqueues) if (op.outcome === 'ok') life(op.id!).n ??= op.n;
  return lives;
}

/** In the queue: run at least once, or known to Redis (a 404 and no run: it never got in). */
function present(life: Life): boolean {
  return life.starts.length > 0 || life.deadTimes > 0 || (life.final !== undefined && life.final.status !== 'missing');
}

function name(life: Life): string {
  return life.n === null ? `job ${life.id}` : `job ${life.n}`;
}

function whereabouts(life: Life): string {
  const runs = life.starts.length > 0 ? `, run by ${life.starts.map((run) => `${run.worker} at ${seconds(run.at)}`).join(', ')}` : '';
  return `${life.id}, ${life.final?.status ?? 'unknown to GET'}${runs}`;
}

/** A job's runs, for a message: who ran it when, and how each run ended. */
function story(life: Life): string {
  if (life.starts.length === 0) return 'no worker ever started it';
  return life.starts
    .map((start) => {
      const finish = finishOf(life, start);
      return `run by ${start.worker} at ${seconds(start.at)}${start.attempt === null ? '' : ` (attempt ${start.attempt})`}, ${finish ? `finished at ${seconds(finish.at)}` : 'never finished'}`;
    })
    .join('; ');
}

function finishOf(life: Life, start: Run): Run | undefined {
  return life.finishes.find((finish) => finish.run === start.run);
}

function explain(history: History, life: Life, before: Run, next: Run): DuplicateReason {
  const { faults, settings } = history;
  const between = (at: number) => at > before.at && at < next.at;
  // The worker of `run` started nothing else since `from`: it held this job all along, unseen (a
  // BLMOVE answered, the run not begun), while the reaper handed it on. Its stale copy may run
  // before or after the one handed on.
  const heldSince = (run: Run, from: number) => !history.runs.some((other) => other.kind === 'start' && other.worker === run.worker && other.at > from && other.at < run.at);
  if (faults.some((fault) => fault.kind === 'kill' && fault.worker === before.worker && between(fault.at))) return 'killed';
  const stalled = faults.some(
    (fault) =>
      fault.kind === 'stall' &&
      fault.lapsed &&
      ((fault.worker === before.worker && between(fault.at)) ||
        [before, next].some((run) => fault.worker === run.worker && fault.at < before.at && (fault.until ?? Infinity) <= run.at && heldSince(run, fault.until!))),
  );
  if (stalled) return 'stalled';
  // Redis away (restarted, connections cut): until every heartbeat has got through again, any
  // heartbeat key may expire and the reaper take a live worker for dead, as after a stall. The
  // first run was still held when Redis went away (not finished, or its acknowledgement maybe
  // still on its way), or one of the runs is a stale copy held unseen since then.
  const finish = finishOf(life, before);
  const overran = !finish || finish.at - before.at >= settings.jobTimeoutMs - SLACK_MS;
  if (overran && next.at - before.at >= settings.jobTimeoutMs - SLACK_MS) return 'time limit';
  const outage = faults.some(
    (fault) =>
      (fault.kind === 'restart' || fault.kind === 'cut') &&
      ((before.at < (fault.until ?? fault.at) && fault.at < next.at && (!finish || finish.at > fault.at - ACK_MS)) ||
        [before, next].some((run) => fault.at < before.at && heldSince(run, fault.at))),
  );
  return outage ? 'outage' : 'unexplained';
}
