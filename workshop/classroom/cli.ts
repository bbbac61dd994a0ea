/**
 * `npm run classroom`: opens the class on this machine and prints the two addresses that matter,
 * the one learners join with and the board's. Ctrl-C ends the class and every learner's Redis.
 *
 *   --port N            where the server listens (default 4800; 0 for any free port)
 *   --host ADDRESS      the address to bind (default 0.0.0.0: reachable from the class's network)
 *   --data DIR          where the class's state is kept (default .workshop/classroom)
 *   --state-redis URL   keep the class's state in this Redis instead of one the classroom starts
 *   --max-learners N    the most learners' Redis servers at once (default 200)
 */
import { RedisUnavailableError } from '../provision/provision.ts';
import { startClassroom, type ClassroomOptions } from './server.ts';

const USAGE = 'Usage: npm run classroom -- [--port 4800] [--host 0.0.0.0] [--data .workshop/classroom] [--state-redis redis://…] [--max-learners 200]';

export function parseArgs(argv: readonly string[]): ClassroomOptions & { help?: boolean } {
  const options: ClassroomOptions & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split(/=(.*)/s, 2);
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (!next) throw new TypeError(`Expected a value after ${flag}.\n${USAGE}`);
      return next;
    };
    const number = (min: number, max: number): number => {
      const text = value();
      const parsed = Number(text);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new TypeError(`Expected ${flag} to be a whole number from ${min} to ${max}, got \`${text}\`.`);
      return parsed;
    };
    if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag === '--port') options.port = number(0, 65535);
    else if (flag === '--host') options.host = value();
    else if (flag === '--data') options.dataDir = value();
    else if (flag === '--state-redis') options.stateRedisUrl = value();
    else if (flag === '--max-learners') options.maxLearners = number(1, 1000);
    else throw new TypeError(`Unknown option \`${flag}\`.\n${USAGE}`);
  }
  return options;
}

export async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  let classroom;
  try {
    classroom = await startClassroom(options);
  } catch (error) {
    console.error(error instanceof RedisUnavailableError || error instanceof Error ? error.message : String(error));
    return 1;
  }
  console.log(
    [
      'The class is open.',
      `  Learners join with:  npm start -- join ${classroom.joinAddress} --name "<their name>"`,
      `  Your board:          ${classroom.boardAddress}`,
      '  (The board\'s address holds your token: share the join address only.)',
      'Ctrl-C ends the class; what it knows is kept for next time.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await classroom.close();
  console.log('\nThe class is closed; every learner\'s Redis is stopped.');
  return 0;
}

