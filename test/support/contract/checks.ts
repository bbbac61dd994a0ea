/**
 * The checks every step gets from its contract (workshop/contract/steps.ts), beside its own:
 *
 * - each option left out, and each set to a value other than its default (drawn);
 * - two instances at once, and two runs in a row, each as it would be alone: state kept beside
 *   the class or the function (a module-level clock, counter or flag) shows up here;
 * - everything it opens closed once it says it is done: threads, connections, timers, sockets.
 *
 * A step's probe (probes.ts) knows how to run its code once and judge what it did against the
 * options it was given; everything else is generic. They run after the step's own checks, so a
 * mistake those name is told in their words first.
 */
import type { Redis } from 'ioredis';
import { findStep } from '../../../workshop/manifest.ts';
import type { OptionContract, Scalar, StepContract } from '../../../workshop/contract/types.ts';
import { drawn, fc } from '../draw.ts';
import { describeLeft, watchResources } from '../leftovers.ts';
import { liveThreads } from '../threads.ts';
import { pause } from '../waits.ts';
import { test, type ClientInfo, type RedisKit } from '../workshop-test.ts';

/** Options as drawn: a name that is absent was left out. */
export type Given = Record<string, Scalar>;

export interface ProbeRun {
  /** The options as drawn; a name absent is left out. */
  given: Given;
  /** The same with each option left out at its default (a callback left out stays absent). */
  effective: Given;
  /** 'a' or 'b': two instances at once tell their data apart by it. */
  tag: string;
  /** Another instance runs at the same time: what the step shares by design (lesson 06's queue) may go to either. */
  together: boolean;
  /** The check's Redis; throws in a step without Redis. */
  redis: RedisKit;
  /** A connection of the check's own (a washer, a publisher), closed before anything is counted as left open. */
  helper(name: string): Redis;
}

export interface Probe {
  /** Runs the step's code once with these options, and throws, in the learner's words, where what it did is not what they say. Resolves once the code says it is done. */
  run(run: ProbeRun): Promise<void>;
  /** What a check runs, as its name says it: `wash()`, `a WorkerPool`. */
  subject: string;
  /** The code's word for "done", for the message on what is left open: `runDryers() settled`. */
  done: string;
  /** Needs the check's Redis. */
  redis: boolean;
  /** The keys one run uses, given its options: deleted after it, passed or failed, so that a shrunk configuration starts clean. */
  keys?: (effective: Given) => string[];
  /** Drawn configurations beyond the two examples (every option left out; every option set). @default 2 */
  draws?: number;
  /** Why two at once share state by design (the reapers of one queue), when they do: that check is then left out. */
  alone?: string;
}

/** The options a step's exports take, in the order the contract lists them. */
export function optionsOf(contract: StepContract): OptionContract[] {
  return contract.exports.flatMap((entry) => entry.options ?? []);
}

export function effectiveOf(options: readonly OptionContract[], given: Given): Given {
  const effective: Given = { ...given };
  for (const option of options) if (!(option.name in effective) && option.default !== undefined) effective[option.name] = option.default;
  return effective;
}

/** `with queue "cups", timeoutSec 0.2 and workMs left out`: the options as a learner reads them. */
export function describeGiven(options: readonly OptionContract[], given: Given): string {
  // A callback is drawn as `true`: given, or left out.
  const shown = (name: string, value: Scalar) => (value === true ? name : `${name} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  const set = options.filter((option) => option.name in given).map((option) => shown(option.name, given[option.name]!));
  const out = options.filter((option) => !(option.name in given)).map((option) => option.name);
  if (set.length === 0) return 'with every option left out';
  return `with ${set.join(', ')}${out.length > 0 ? `; ${out.join(', ')} left out` : ''}`;
}

/** Every optional option left out; the required ones at their first value. */
export function allLeftOut(options: readonly OptionContract[]): Given {
  return Object.fromEntries(options.filter((option) => option.required).map((option) => [option.name, option.values[0]!]));
}

/** Every option set to its first value other than its default. */
export function allSet(options: readonly OptionContract[]): Given {
  return Object.fromEntries(options.map((option) => [option.name, option.values.find((value) => value !== option.default) ?? option.values[0]!]));
}

function arbitraryOf(options: readonly OptionContract[]): fc.Arbitrary<Given> {
  const fields = Object.fromEntries(
    options.map((option) => {
      const value = fc.constantFrom(...option.values);
      return [option.name, option.required ? value : fc.option(value, { nil: undefined })];
    }),
  );
  return fc.record(fields).map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Given);
}

/** The same options, with each one that names something shared (a list, a channel) made this instance's own. */
function own(options: readonly OptionContract[], given: Given, tag: string): Given {
  const mine: Given = { ...given };
  for (const option of options) if (option.isolates) mine[option.name] = `${String(given[option.name] ?? option.default ?? option.values[0])}-${tag}`;
  return mine;
}

interface Session {
  redis?: RedisKit;
  helpers: Redis[];
}

/** One run of the probe, its keys deleted after it whatever happened. */
async function once(probe: Probe, options: readonly OptionContract[], given: Given, tag: string, session: Session, together = false): Promise<void> {
  const run = runOf(options, given, tag, session, together);
  try {
    await probe.run(run);
  } finally {
    const keys = probe.keys?.(run.effective) ?? [];
    if (session.redis && keys.length > 0) await session.redis.observer.del(...keys.map((key) => session.redis!.key(key)));
  }
}

function runOf(options: readonly OptionContract[], given: Given, tag: string, session: Session, together: boolean): ProbeRun {
  return {
    given,
    effective: effectiveOf(options, given),
    tag,
    together,
    get redis(): RedisKit {
      if (!session.redis) throw new Error('This step runs without Redis');
      return session.redis;
    },
    helper(name) {
      if (!session.redis) throw new Error('This step runs without Redis');
      const conn = session.redis.client(`${name}-${tag}`);
      session.helpers.push(conn);
      return conn;
    },
  };
}

/** Registers the generic checks of step `id` (call it last in the step's body). */
export function contractChecks(id: string, probe: Probe): void {
  const found = findStep(id);
  if (!found) throw new RangeError(`Step ${id} is not in the manifest`);
  const options = optionsOf(found.step.contract);
  const names = probe.subject;
  const budgetMs = Math.max(1000, found.step.timeoutMs / 2);
  /** A check with or without the Redis fixture, as the probe needs. */
  const check = (name: string, body: (session: Session) => Promise<void>) =>
    probe.redis ? test(name, async ({ redis }) => body({ redis, helpers: [] })) : test(name, async () => body({ helpers: [] }));

  if (options.length > 0) {
    const examples = [allLeftOut(options), allSet(options)];
    check(`contract: ${names} with each option left out and each set to another value (drawn)`, async (session) => {
      await drawn(arbitraryOf(options), { name: `${id} contract options`, examples, runs: probe.draws ?? 2, budgetMs, describe: (given) => describeGiven(options, given) }, (given) =>
        once(probe, options, given, 'a', session),
      );
    });
  }

  if (!probe.alone) check(`contract: ${names} twice at once, each as it would be alone`, async (session) => {
    const a = own(options, allSet(options), 'a');
    const b = own(options, allLeftOut(options), 'b');
    const results = await Promise.allSettled([once(probe, options, a, 'a', session, true), once(probe, options, b, 'b', session, true)]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw withContext(failed.reason, `with two at once, one ${describeGiven(options, a)} and one ${describeGiven(options, b)}`);
  });

  check(`contract: ${names} a second time in the same process starts fresh`, async (session) => {
    const given = allLeftOut(options);
    await once(probe, options, given, 'a', session);
    try {
      await once(probe, options, given, 'b', session);
    } catch (error) {
      throw withContext(error, `on a second run, ${describeGiven(options, given)}, after a first that went well`);
    }
  });

  check(`contract: once ${probe.done}, nothing it opened is left: no thread, connection, timer or socket`, async (session) => {
    const threadsBefore = new Set(liveThreads());
    const clientsBefore = new Set(session.redis ? (await session.redis.clients()).map((client) => client.id) : []);
    const watch = watchResources();
    await once(probe, options, allSet(options), 'a', session);
    for (const conn of session.helpers) conn.disconnect();
    const helpers = new Set(session.helpers.map((conn) => String(conn.options.connectionName).slice(session.redis?.prefix.length ?? 0)));
    const threads = liveThreads().filter((thread) => !threadsBefore.has(thread));
    const left = await watch.left();
    // A connection that has just sent QUIT is gone a moment after its reply.
    let clients: ClientInfo[] = [];
    for (const deadline = Date.now() + 1000; session.redis; await pause(10)) {
      clients = (await session.redis.clients()).filter((client) => !clientsBefore.has(client.id) && !helpers.has(client.client));
      if (clients.length === 0 || Date.now() > deadline) break;
    }
    const faults = [
      threads.length > 0 ? `${threads.length} thread${threads.length === 1 ? '' : 's'} still running (${threads.map((thread) => thread.file).join(', ')})` : '',
      clients.length > 0 ? `${clients.length} Redis connection${clients.length === 1 ? '' : 's'} still open (${clients.map((client) => client.client).join(', ')})` : '',
      left.timers > 0 || left.sockets > 0 ? describeLeft(left) : '',
    ].filter(Boolean);
    if (faults.length > 0) {
      throw new Error(
        `once ${probe.done}, it had left ${faults.join(', and ')}. Whatever your code opens, it closes before it says it is done: ` +
          'await each thread\'s exit, quit() each connection, clear each timer.',
      );
    }
  });
}

function withContext(error: unknown, context: string): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  if (!failure.message.startsWith('TODO')) failure.message = `${context}: ${failure.message}`;
  return failure;
}
