/**
 * A check stopped at its time limit, explained: not "Test timed out in 4000ms" but what was still
 * waiting when it was stopped, in the lesson's words:
 *
 *   02b › started first, it blocks in BLPOP…: stopped at its 4 s time limit, still waiting.
 *   - your dryer is still in BLPOP on dishes-typo, waiting for 3.9 s; nothing was pushed to dishes-typo (pushes went to dishes)
 *
 * The test process gathers the facts when the limit fires (Redis' CLIENT LIST and the command
 * trace, the thread tracker, the process table); this file only turns them into words.
 */
import type { StuckCheck } from './check-result.ts';

/** A connection of the check that Redis still holds in a blocking command, or in a subscription. */
export interface StuckClient {
  /** Its name in the timeline, such as `dryer`, or `client:53412` when it has none. */
  client: string;
  /** Upper case, such as `BLPOP`; empty for a client that only listens (subscribed). */
  command: string;
  /** The keys it waits on, without the check's prefix; empty when unknown. */
  keys: string[];
  /** How long it has waited, when the trace saw the command go out. */
  waitedMs?: number;
  /** How many pushes to those keys Redis saw during the check. */
  pushes: number;
  /** Other keys that were pushed to during the check (a typo in a key name shows here). */
  pushedElsewhere: string[];
  /** Channels and patterns it is subscribed to. */
  channels: number;
}

export interface HangFacts {
  stepId: string;
  /** The check's own name, without the step. */
  check: string;
  limitMs: number;
  /** Undefined when the check has no Redis (or the facts were not gathered yet). */
  clients?: StuckClient[];
  threads: { file: string; ageMs: number }[];
  /** Child processes the learner's code started, as command lines. */
  children: string[];
}

/** The first line of every hang message: lets the report and the harness recognise one. */
export function hangLead(facts: Pick<HangFacts, 'stepId' | 'check' | 'limitMs'>): string {
  return `${facts.stepId} › ${facts.check}: stopped at its ${seconds(facts.limitMs)} time limit, still waiting.`;
}

export function explainHang(facts: HangFacts): string {
  const lines = [
    ...(facts.clients ?? []).map(describeClient),
    ...facts.threads.map((thread) => `worker thread ${thread.file} is still running (started ${seconds(thread.ageMs)} before)`),
    ...facts.children.map((child) => `child process still running: ${child}`),
  ];
  if (lines.length === 0) {
    return (
      `${hangLead(facts)}\nNothing of yours was blocked in Redis and no worker thread was running: your code is most likely awaiting ` +
      'a promise that never settles (an event nobody emits, a callback nobody calls, a resolve() never reached).'
    );
  }
  return `${hangLead(facts)}\n${lines.map((line) => `- ${line}`).join('\n')}`;
}

function describeClient(client: StuckClient): string {
  const who = client.client.startsWith('client:') ? `a connection of yours (${client.client})` : `your ${client.client}`;
  if (!client.command) return `${who} is subscribed to ${client.channels} channel(s) and still waiting for a message`;
  const on = client.keys.length > 0 ? ` on ${client.keys.join(', ')}` : '';
  const waited = client.waitedMs !== undefined ? `, waiting for ${seconds(client.waitedMs)}` : '';
  let why = '';
  if (client.keys.length > 0) {
    const elsewhere = client.pushedElsewhere.length > 0 ? ` (pushes went to ${client.pushedElsewhere.join(', ')})` : '';
    why = client.pushes === 0 ? `; nothing was pushed to ${client.keys.join(' or ')} during the check${elsewhere}` : `; the ${client.pushes} item(s) pushed to ${client.keys.join(' or ')} during the check were all taken, and it waits for one more`;
  }
  return `${who} is still in ${client.command}${on}${waited}${why}`;
}

/** Which keys a blocking command waits on, from its arguments (prefix already taken off). */
export function blockedKeys(command: string, args: readonly string[]): string[] {
  switch (command) {
    case 'BLPOP':
    case 'BRPOP':
    case 'BZPOPMIN':
    case 'BZPOPMAX':
      return args.slice(0, -1);
    case 'BLMOVE':
    case 'BRPOPLPUSH':
      return args.slice(0, 1);
    case 'BLMPOP':
    case 'BZMPOP':
      return args.slice(2, 2 + Number(args[1] ?? 0));
    case 'XREAD':
    case 'XREADGROUP': {
      const at = args.findIndex((arg) => arg.toUpperCase() === 'STREAMS');
      const rest = at < 0 ? [] : args.slice(at + 1);
      return rest.slice(0, rest.length / 2);
    }
    default:
      return [];
  }
}

/** The key a command adds to (what would wake a client blocked on it), if it is such a command. */
export function pushedKey(command: string, args: readonly string[]): string | undefined {
  if (['RPUSH', 'LPUSH', 'RPUSHX', 'LPUSHX', 'ZADD', 'XADD'].includes(command)) return args[0];
  if (['LMOVE', 'BLMOVE', 'RPOPLPUSH', 'BRPOPLPUSH'].includes(command)) return args[1];
  return undefined;
}

/** A check whose thread never gave control back (a loop that never awaits), so no time limit could fire. */
export function explainStuck(stuck: StuckCheck): string {
  return (
    `${stuck.stepId} › ${stuck.name}: stopped after ${seconds(stuck.elapsedMs)}. It never gave control back, so even its ` +
    `${seconds(stuck.timeoutMs)} time limit could not fire: a loop that never awaits (for (;;) {}, or a busy wait such as ` +
    'while (Date.now() < end) {}) keeps its thread to itself. Await something inside the loop (a Redis command, a promise), or end it.'
  );
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
