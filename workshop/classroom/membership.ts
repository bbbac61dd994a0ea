/**
 * A learner's side of the classroom: `npm start -- join <address> --name <name>` keeps the
 * credentials in a git-ignored file (`.workshop/classroom.json`, readable by you alone); from then
 * on every check runs on the learner's own Redis in the classroom, and `npm start -- leave` goes
 * back to a local one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ROOT } from '../target.ts';
import type { JoinReply, RedisReply } from './protocol.ts';

export interface Membership {
  /** The classroom server, such as `http://192.168.1.20:4800`. */
  server: string;
  code: string;
  learnerId: string;
  name: string;
  secret: string;
  joinedAt: string;
}

export function membershipPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(ROOT, env.WORKSHOP_CLASSROOM_FILE?.trim() || '.workshop/classroom.json');
}

export function readMembership(env: NodeJS.ProcessEnv = process.env): Membership | undefined {
  const file = membershipPath(env);
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Membership;
    return data.server && data.learnerId && data.secret ? data : undefined;
  } catch {
    return undefined;
  }
}

export function writeMembership(membership: Membership, env: NodeJS.ProcessEnv = process.env): void {
  const file = membershipPath(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(membership, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function forgetMembership(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(membershipPath(env), { force: true });
}

/** `http://host:4800/ABCD-EFGH` into the server and the class code. */
export function parseJoinAddress(address: string): { server: string; code: string } {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(address) ? address : `http://${address}`);
  } catch {
    throw new TypeError(`\`${address}\` is not an address; copy the whole join address the instructor shows, such as http://192.168.1.20:4800/ABCD-EFGH`);
  }
  const code = url.pathname.replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9-]{4,40}$/.test(code)) {
    throw new TypeError(`The join address ends with the class code, as in http://192.168.1.20:4800/ABCD-EFGH; \`${address}\` has none.`);
  }
  return { server: url.origin, code: code.toUpperCase() };
}

/** Calls the classroom; a refusal becomes an Error with the server's own sentence. */
export async function call<T>(server: string, path: string, options: { body?: unknown; auth?: string; timeoutMs?: number } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.auth ? { authorization: `Bearer ${options.auth}` } : {}),
      },
      body: JSON.stringify(options.body ?? {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new Error(`The classroom at ${server} did not answer (${cause}).`, { cause: error });
  }
  const text = await response.text();
  let body: { error?: string } & T;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`The classroom at ${server} answered ${response.status} with something that is not the workshop's.`);
  }
  if (!response.ok) throw Object.assign(new Error(body.error ?? `The classroom answered ${response.status}.`), { status: response.status });
  return body;
}

export function auth(membership: Membership): string {
  return `${membership.learnerId}.${membership.secret}`;
}

export async function join(address: string, name: string, secret?: string, env: NodeJS.ProcessEnv = process.env): Promise<{ membership: Membership; reply: JoinReply }> {
  const { server, code } = parseJoinAddress(address);
  const reply = await call<JoinReply>(server, '/api/join', { body: { code, name, ...(secret ? { secret } : {}) } });
  const membership: Membership = { server, code, learnerId: reply.learnerId, name: reply.name, secret: reply.secret, joinedAt: new Date().toISOString() };
  writeMembership(membership, env);
  return { membership, reply };
}

/** The learner's own Redis in the classroom, started there if it is not running. */
export function classroomRedis(membership: Membership, timeoutMs = 5000): Promise<RedisReply> {
  return call<RedisReply>(membership.server, '/api/redis', { auth: auth(membership), timeoutMs });
}

/**
 * Before a run of the checks on the learner's own code: when this workshop has joined a class,
 * point the run at the learner's Redis there. When the classroom does not answer, the run goes on
 * with a Redis on this machine, and says so.
 */
export async function useClassroomRedis(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const membership = readMembership(env);
  if (!membership) return;
  try {
    const { url } = await classroomRedis(membership, 3000);
    env.REDIS_URL = url;
    env.WORKSHOP_REDIS_LABEL = 'your classroom Redis';
  } catch (error) {
    console.error(`${(error as Error).message} This run uses a Redis on this machine; your result goes to the board later.`);
  }
}
