/** Lesson 05's probes for the contract checks (checks.ts): a WorkerPool started and stopped, one runConsole(). */
import { Readable, Writable } from 'node:stream';
import { runConsole } from '#target/05-client-unblock/console.ts';
import { WorkerPool } from '#target/05-client-unblock/worker-pool.ts';
import type { RedisKit } from '../workshop-test.ts';
import { until, within } from '../waits.ts';
import type { Probe } from './checks.ts';

const shown = (items: readonly unknown[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

/** The trace's length now: where this run's commands start. */
async function traced(redis: RedisKit): Promise<number> {
  await redis.trace.settle();
  return redis.trace.events.length;
}

/** Throws when a BLPOP on `queue` (since the trace's event `from`) was sent with a timeout other than `timeoutSec`. */
async function blockedWith(redis: RedisKit, from: number, queue: string, timeoutSec: number, given: boolean): Promise<void> {
  await redis.trace.settle();
  const wrong = redis.trace.events.slice(from).find((event) => event.command === 'BLPOP' && event.args[0] === queue && Number(event.args.at(-1)) !== timeoutSec);
  if (wrong) {
    throw new Error(
      `a worker sent BLPOP ${wrong.args.join(' ')}, where blockTimeoutSec ${given ? timeoutSec : `left out (${timeoutSec}, its default)`} asks for ` +
        `BLPOP ${queue} ${timeoutSec}${timeoutSec === 0 ? ' (0: wait for ever)' : ''}: pass it on as it is`,
    );
  }
}

export const poolProbe: Probe = {
  redis: true,
  keys: (effective) => [String(effective.queue)],
  subject: 'a WorkerPool',
  done: 'stop() resolved',
  async run({ given, effective, tag, redis, helper }) {
    const workers = Number(effective.workers);
    const queue = String(effective.queue);
    const jobs = Array.from({ length: 4 }, (_, i) => `job-${tag}-${i + 1}`);
    const handled: Array<[string, number]> = [];
    const from = await traced(redis);
    const pool = new WorkerPool({
      workers,
      handle: (job, n) => void handled.push([job, n]),
      ...('queue' in given ? { queue } : {}),
      ...('blockTimeoutSec' in given ? { blockTimeoutSec: Number(given.blockTimeoutSec) } : {}),
    });
    await within(pool.start(), 3000, () => `start() had not resolved 3 s after it was called, with ${workers} worker(s)`);
    try {
      await helper('producer').rpush(queue, ...jobs);
      await until(() => handled.length >= jobs.length, 2000, async () => {
        const left = await redis.observer.lrange(redis.key(queue), 0, -1);
        return `2 s after ${jobs.length} jobs were pushed onto ${JSON.stringify(queue)}, handle() had got ${shown(handled.map(([job]) => job))} and ${shown(left)} were still in the list`;
      });
    } finally {
      await within(pool.stop(), 2000, () => `stop() had not resolved 2 s after it was called, with ${workers} worker(s) waiting in BLPOP`);
    }
    const got = handled.map(([job]) => job).sort();
    if (got.join('\n') !== jobs.join('\n')) throw new Error(`handle() got ${shown(got)}: each job once, ${shown(jobs)}`);
    const numbers = [...new Set(handled.map(([, n]) => n))];
    const odd = numbers.find((n) => !Number.isInteger(n) || n < 1 || n > workers);
    if (odd !== undefined) throw new Error(`handle() was told worker ${odd}: with ${workers} worker(s) they are numbered 1 to ${workers}`);
    await blockedWith(redis, from, queue, Number(effective.blockTimeoutSec), 'blockTimeoutSec' in given);
  },
};

export const consoleProbe: Probe = {
  redis: true,
  keys: (effective) => [String(effective.queue)],
  subject: 'runConsole()',
  done: 'runConsole() resolved',
  async run({ given, effective, tag, redis }) {
    const workers = Number(effective.workers);
    const queue = String(effective.queue);
    const typed = [`a-${tag}`, `b-${tag}`];
    let written = '';
    const output = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const handled: Array<[string, number]> = [];
    const from = await traced(redis);
    const input = Readable.from([...typed.map((line) => `${line}\n`), '\n', `c-${tag}\n`]);
    await within(
      runConsole(input, {
        output,
        ...('workers' in given ? { workers } : {}),
        ...('queue' in given ? { queue } : {}),
        ...('handle' in given ? { handle: (job: string, n: number) => void handled.push([job, n]) } : {}),
        ...('blockTimeoutSec' in given ? { blockTimeoutSec: Number(given.blockTimeoutSec) } : {}),
      }),
      3000,
      () => 'runConsole() had not resolved 3 s after its input gave an empty line',
    );
    // Without a handle, the default one writes `worker N: job` to output.
    if (!('handle' in given)) {
      for (const match of written.matchAll(/^worker (\d+): (.*)$/gm)) handled.push([match[2]!, Number(match[1])]);
    }
    const left = await redis.observer.lrange(redis.key(queue), 0, -1);
    const seen = [...handled.map(([job]) => job), ...left].sort();
    if (seen.join('\n') !== typed.join('\n')) {
      throw new Error(
        `of the lines ${shown([...typed, '', `c-${tag}`])}, ${shown(handled.map(([job]) => job))} were handled and ${shown(left)} stayed in ${JSON.stringify(queue)}: ` +
          'each line before the empty one is one job on the list, and nothing after it',
      );
    }
    const odd = handled.map(([, n]) => n).find((n) => !Number.isInteger(n) || n < 1 || n > workers);
    if (odd !== undefined) throw new Error(`a job was done by worker ${odd}: with workers ${'workers' in given ? workers : `left out (${workers})`} they are numbered 1 to ${workers}`);
    await blockedWith(redis, from, queue, Number(effective.blockTimeoutSec), 'blockTimeoutSec' in given);
  },
};
