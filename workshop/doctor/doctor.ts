/**
 * `npm run doctor`: is everything here that the workshop needs? Node, which Redis the checks would
 * use and whether it has every lesson's commands, TypeScript in worker threads, git for resets, and
 * a browser for the slides' tests. Each problem comes with its fix. Exit code 1 when one is found.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { CHROMIUM_MISSING, findChromium } from './browser.ts';
import { lessons } from '../manifest.ts';
import { describe, findRedisServer, provideRedis, RedisUnavailableError, safeUrl, versionAtLeast, type ProvidedRedis } from '../provision/provision.ts';
import runtime from '../runtime/node-version.cjs';
import { color } from '../runner/terminal.ts';

interface Finding {
  what: string;
  ok: boolean;
  detail: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

export async function main(): Promise<number> {
  console.log(color('bold', 'Checking what the workshop needs...\n'));
  const findings: Finding[] = [];
  const report = (finding: Finding) => {
    findings.push(finding);
    const mark = finding.ok ? color('green', '✓') : color('red', '✗');
    console.log(`${mark} ${finding.what.padEnd(15)} ${finding.detail}`);
    if (!finding.ok && finding.fix) console.log(color('yellow', `  ${' '.repeat(15)} fix: ${finding.fix.replace(/\n/g, `\n  ${' '.repeat(20)}`)}`));
  };

  const node = process.versions.node;
  const nodeProblem = runtime.problem(node);
  report({
    what: 'Node.js',
    ok: nodeProblem === undefined,
    detail: `${node} (the workshop runs on 26 LTS and later, 24, and 22.22 or newer on 22)`,
    fix: nodeProblem?.split('\n').slice(1).join('\n'),
  });
  report(await workerThreads());
  for (const finding of await redis()) report(finding);
  report(git());
  const chromium = findChromium();
  report({ what: 'Browser', ok: Boolean(chromium), detail: chromium ? `${chromium} (for the slides' tests)` : 'none found (only the slides\' own tests need one)', fix: CHROMIUM_MISSING });

  const problems = findings.filter((finding) => !finding.ok).length;
  console.log(`\n${problems === 0 ? color('green', 'All good: npm start.') : color('red', `${problems} problem${problems === 1 ? '' : 's'}; each has its fix above.`)}`);
  return problems === 0 ? 0 : 1;
}

async function workerThreads(): Promise<Finding> {
  const started = Date.now();
  try {
    const worker = new Worker(new URL('./doctor-worker.ts', import.meta.url));
    await new Promise((resolve, reject) => {
      worker.once('message', resolve).once('error', reject).once('exit', () => reject(new Error('the worker exited without a word')));
    });
    await worker.terminate();
    return { what: 'Worker threads', ok: true, detail: `a TypeScript worker thread starts (${Date.now() - started} ms)` };
  } catch (error) {
    return { what: 'Worker threads', ok: false, detail: `a TypeScript worker thread failed: ${(error as Error).message}`, fix: 'Node erases the types of a thread\'s .ts file itself from 22.18 on: use Node 26 (or 24, or 22.22 and later).' };
  }
}

async function redis(): Promise<Finding[]> {
  const env = process.env;
  const local = findRedisServer(env);
  const ways = [`REDIS_URL ${env.REDIS_URL ? `= ${safeUrl(env.REDIS_URL)}` : 'not set'}`, `redis-server ${local ?? 'not on PATH'}`, `Docker ${env.WORKSHOP_DOCKER === '0' ? 'off (WORKSHOP_DOCKER=0)' : 'tried if needed'}`];
  let server: ProvidedRedis;
  try {
    server = await provideRedis({ env });
  } catch (error) {
    return [{ what: 'Redis', ok: false, detail: `none could be had (${ways.join(' · ')})`, fix: error instanceof RedisUnavailableError ? error.message.replace(/\n\(Tried: [^\n]*\)$/, '') : describe(error) }];
  }
  const findings: Finding[] = [{ what: 'Redis', ok: true, detail: `${server.source} ${server.version} at ${safeUrl(server.url)} (${ways.join(' · ')})` }];
  const conn = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'workshop-doctor' });
  try {
    await conn.connect();
    for (const lesson of lessons.filter((candidate) => candidate.minRedis)) {
      const missing = await missingCommands(conn, lesson.commands ?? [], server.version);
      const old = !versionAtLeast(server.version, lesson.minRedis!);
      findings.push({
        what: `Lesson ${lesson.id}`,
        ok: !old && missing.length === 0,
        detail: old ? `needs Redis ${lesson.minRedis}, the server is ${server.version}` : missing.length ? `the server lacks ${missing.join(', ')}` : `${(lesson.commands ?? []).join(' ')} all there`,
        fix: old ? `Use a newer Redis (${lesson.minRedis}+): install it, or run Docker, or point REDIS_URL at one.` : 'The server (or its ACL) does not allow these commands: ask whoever runs it, or use a local redis-server.',
      });
    }
  } finally {
    conn.disconnect();
    await server.stop();
  }
  return findings;
}

/** Commands the server does not know; `CLIENT|UNBLOCK` names a subcommand (checked from Redis 7). */
async function missingCommands(conn: Redis, commands: readonly string[], version: string): Promise<string[]> {
  const names = commands.map((command) => (versionAtLeast(version, '7.0') ? command : command.split('|')[0]!).toLowerCase());
  if (names.length === 0) return [];
  const info = (await conn.call('COMMAND', 'INFO', ...names)) as unknown[];
  return commands.filter((_, index) => !info[index]);
}

function git(): Finding {
  try {
    const version = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();
    const cloned = existsSync('.git');
    return {
      what: 'git',
      ok: cloned,
      detail: cloned ? `${version} (npm start -- reset puts files back from it)` : `${version}, but this folder is not a git clone`,
      fix: 'Clone the workshop with git, so that a step can be reset to its starter.',
    };
  } catch {
    return { what: 'git', ok: false, detail: 'not found', fix: 'Install git: npm start -- reset uses it to put a step back as shipped.' };
  }
}
