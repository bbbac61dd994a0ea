/**
 * `npm start`: the lessons and their steps, which Redis the checks will use, and what to run.
 * (The full interactive runner builds on this.)
 */
import { styleText } from 'node:util';
import { lessons } from './manifest.ts';
import { findRedisServer } from './provision.ts';

const color = (style: Parameters<typeof styleText>[0], text: string) => (process.stdout.isTTY ? styleText(style, text) : text);

export function overview(env: NodeJS.ProcessEnv = process.env): string {
  const lines = [color('bold', 'Concurrency with threads and Redis: the workshop'), ''];
  for (const lesson of lessons) {
    lines.push(`${lesson.id}  ${lesson.title}${lesson.minRedis ? '' : color('dim', '  (no Redis needed)')}`);
    for (const step of lesson.steps) lines.push(color('dim', `    ${step.id}  ${step.title}  [${step.difficulty}]`));
  }
  const redis = env.REDIS_URL
    ? `the server at REDIS_URL (${env.REDIS_URL})`
    : findRedisServer(env)
      ? `a private redis-server (${findRedisServer(env)}), started and stopped for each run`
      : 'Redis in Docker, if Docker runs (no redis-server found on your PATH, REDIS_URL not set)';
  lines.push(
    '',
    `Redis for the checks: ${redis}.`,
    '',
    'Start with lessons/01-bounded-queue/README.md, then check your work:',
    '  npm run verify -- 01      the whole lesson',
    '  npm run verify -- 01a     one step',
  );
  return lines.join('\n');
}

console.log(overview());
