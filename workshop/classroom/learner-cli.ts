/**
 * `npm start -- join <address> --name <name> [--secret <secret>]` and `npm start -- leave`.
 */
import { probe, safeUrl } from '../provision/provision.ts';
import { classroomRedis, forgetMembership, join, readMembership, type Membership } from './membership.ts';
import { flush, outboxPath, readOutbox } from './outbox.ts';
import { rmSync } from 'node:fs';

const JOIN_USAGE = 'Usage: npm start -- join <the address your instructor shows> --name "<your name>" [--secret <your secret, to resume on another machine>]';

export async function classroomCommand(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'join') return await joinCommand(rest);
    return await leaveCommand(rest);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

function option(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = (args[i] ?? '').split(/=(.*)/s, 2);
    if (flag === name) return inline ?? args[i + 1];
  }
  return undefined;
}

async function joinCommand(args: readonly string[]): Promise<number> {
  const address = args.find((arg, index) => !arg.startsWith('-') && !['--name', '--secret'].includes(args[index - 1] ?? ''));
  const name = option(args, '--name');
  const secret = option(args, '--secret');
  if (!address || !name) {
    console.error(JOIN_USAGE);
    return 2;
  }
  const { membership, reply } = await join(address, name, secret);
  console.log(`${reply.resumed ? 'Welcome back' : 'Joined the class'} at ${membership.server} as ${membership.name}.`);
  console.log(await redisLine(membership));
  if (!reply.resumed) {
    console.log(`To carry on from another machine, join there with your secret:\n  npm start -- join ${address} --name "${membership.name}" --secret ${membership.secret}`);
  }
  console.log('npm start -- leave goes back to a Redis on this machine.');
  return 0;
}

async function redisLine(membership: Membership): Promise<string> {
  let url: string;
  try {
    ({ url } = await classroomRedis(membership));
  } catch (error) {
    return `Your results go to the board, but the classroom gave you no Redis yet (${(error as Error).message}); your checks use a local one until it does.`;
  }
  try {
    const version = await probe(url);
    return `Your checks now run on your own Redis in the classroom (Redis ${version}), and each result goes to the board.`;
  } catch (error) {
    return (
      `Your results go to the board, but your Redis at ${safeUrl(url)} did not answer from this machine (${(error as Error).message}).\n` +
      'A firewall may block its port: ask your instructor. Until then your checks fail to reach it; npm start -- leave goes back to a local Redis.'
    );
  }
}

async function leaveCommand(args: readonly string[]): Promise<number> {
  if (args.length > 0) {
    console.error('Usage: npm start -- leave');
    return 2;
  }
  const membership = readMembership();
  if (!membership) {
    console.log('You are not in a class; your checks use a Redis on this machine.');
    return 0;
  }
  // Results the board has not had yet get one last chance.
  const left = readOutbox().length > 0 ? await flush(membership, 2000) : 0;
  forgetMembership();
  rmSync(outboxPath(), { force: true });
  console.log(`You left the class at ${membership.server}. Your checks use a Redis on this machine again.`);
  if (left > 0) console.log(`${left} result${left === 1 ? '' : 's'} the board never received ${left === 1 ? 'was' : 'were'} dropped.`);
  return 0;
}
