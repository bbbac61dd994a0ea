/**
 * `npm start -- classroom grading actions`: the workflow is read back with a YAML parser and held
 * to what the grading needs, and its commands are run as the job runs them, in a learner's copy
 * with 02a solved and 02b as shipped, against a Redis given by REDIS_URL as the service gives it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRedisServer, startRedisServer, type ProvidedRedis } from '../../workshop/provision/provision.ts';
import { lessons } from '../../workshop/manifest.ts';
import { actionsWorkflow } from '../../workshop/grading/actions.ts';
import { writeGenerated } from '../../workshop/grading/write.ts';
import { learnerCopy, sh, tempDir, type Run } from './grading-support.ts';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  'continue-on-error'?: boolean;
  'timeout-minutes'?: number;
  with?: Record<string, string | number | boolean>;
}

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; services: Record<string, { image: string; ports: string[]; options: string }>; env: Record<string, string>; steps: Step[] }>;
}

const steps = lessons.flatMap((lesson) => lesson.steps);
const workflow = parse(actionsWorkflow()) as Workflow;
const job = workflow.jobs.grade!;
const graders = job.steps.filter((step) => step.run?.startsWith('npm run verify'));
const tmp = tempDir('grading-actions');
afterAll(() => tmp.remove());

describe('classroom grading actions', () => {
  it('uses no action but GitHub\'s own: checkout, setup-node with Node 26, upload-artifact', () => {
    const used = job.steps.flatMap((step) => (step.uses ? [step.uses.split('@')[0]] : []));
    expect(used).toEqual(['actions/checkout', 'actions/setup-node', 'actions/upload-artifact']);
    expect(job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(26);
    expect(actionsWorkflow()).not.toMatch(/classroom-resources|WORKSHOP_TARGET|solutions/);
  });

  it('runs Redis 7.4 as a service with a health check, and hands it to every step through REDIS_URL', () => {
    const redis = job.services.redis!;
    expect(redis.image).toBe('redis:7.4');
    expect(redis.ports).toEqual(['6379:6379']);
    expect(redis.options).toMatch(/--health-cmd "redis-cli ping"/);
    expect(job.env.REDIS_URL).toBe('redis://localhost:6379');
  });

  it('installs once with npm ci, then has one step per lesson step, in order, each running verify with --json and going on when it fails', () => {
    expect(job.steps.filter((step) => /\bnpm ci\b/.test(step.run ?? ''))).toHaveLength(1);
    expect(job.steps.indexOf(graders[0]!)).toBeGreaterThan(job.steps.findIndex((step) => /\bnpm ci\b/.test(step.run ?? '')));
    expect(graders.map((step) => step.name)).toEqual(steps.map((step) => `${step.id} ${step.title}`));
    for (const [i, grader] of graders.entries()) {
      const step = steps[i]!;
      expect(grader.run, `the step of ${step.id} must run what a learner runs`).toBe(`npm run verify -- ${step.id} --json .workshop/grading/${step.id}.json`);
      expect(grader['continue-on-error']).toBe(true);
      expect(grader.id).toMatch(/^[a-z][a-z0-9]*$/);
      expect(grader['timeout-minutes']).toBeGreaterThan(step.timeoutMs / 60_000);
    }
  });

  it('ends with the points in the job summary and the results as an artifact, both also after a failure', () => {
    const [points, keep] = job.steps.slice(-2);
    expect(points?.run).toBe('node workshop/grading/summary.ts .workshop/grading >> "$GITHUB_STEP_SUMMARY"');
    expect(points?.if).toBe('always()');
    expect(keep?.uses).toMatch(/^actions\/upload-artifact@v\d+$/);
    expect(keep?.if).toBe('always()');
    expect(keep?.with).toMatchObject({ path: '.workshop/grading/', 'include-hidden-files': true });
    expect(workflow.on).toHaveProperty('push');
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('writes the same bytes every time, and replaces a different file only when forced', () => {
    const file = join(tmp.path, 'api', 'grading.yml');
    expect(writeGenerated(file, actionsWorkflow())).toBe('written');
    expect(writeGenerated(file, actionsWorkflow())).toBe('unchanged');
    writeFileSync(file, `${actionsWorkflow()}# the instructor's own line\n`);
    expect(writeGenerated(file, actionsWorkflow())).toBe('exists');
    expect(readFileSync(file, 'utf8')).toContain("the instructor's own line");
    expect(writeGenerated(file, actionsWorkflow(), { force: true })).toBe('written');
    expect(readFileSync(file, 'utf8')).toBe(actionsWorkflow());
  });

  describe('its commands, in a learner\'s copy with 02a solved and 02b as shipped', () => {
    let redis: ProvidedRedis;
    let copy: string;
    let env: Record<string, string>;
    const runs: Record<string, Run> = {};
    beforeAll(async () => {
      const binary = findRedisServer();
      if (!binary) throw new Error('These checks need redis-server on PATH, as the service gives the job a Redis.');
      redis = await startRedisServer({ binary });
      copy = learnerCopy(join(tmp.path, 'copy'), ['02a']);
      env = { REDIS_URL: redis.url, GITHUB_STEP_SUMMARY: join(tmp.path, 'summary.md'), CI: 'true' };
      // The install step without `npm ci` (node_modules is linked in), then 02a's and 02b's steps.
      const install = job.steps.find((step) => /\bnpm ci\b/.test(step.run ?? ''))!.run!.replace(/^npm ci.*$/m, '');
      expect((await sh(install, copy, env)).code).toBe(0);
      for (const id of ['02a', '02b']) runs[id] = await sh(graders.find((step) => step.id === `step${id}`)!.run!, copy, env);
      runs.summary = await sh(job.steps.at(-2)!.run!, copy, env);
    }, 120_000);
    afterAll(() => redis?.stop());

    it('02a passes and 02b fails, each on the Redis of REDIS_URL', () => {
      expect(runs['02a']!.code, runs['02a']!.output).toBe(0);
      expect(runs['02a']!.output).toMatch(/\d+ passed, 0 failed/);
      expect(runs['02b']!.code).not.toBe(0);
      // Failed by its checks, not for want of Redis or of a step to run.
      expect(runs['02b']!.output).toMatch(/\d+ passed, [1-9]\d* failed/);
      for (const id of ['02a', '02b']) expect(runs[id]!.output).toContain(`Redis: REDIS_URL`);
    });

    it('the summary\'s first line has the total, and its table a row per step with points, checks passed and the first failure', () => {
      const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8');
      const lines = summary.split('\n');
      expect(lines[0]).toBe(`## Total: 1 of ${steps.reduce((sum, step) => sum + { easy: 1, medium: 2, hard: 3 }[step.difficulty], 0)} points (1 of ${steps.length} steps passed)`);
      expect(lines).toContain('| Step | Points | Passed | First failure |');
      const row = (id: string) => lines.find((line) => line.startsWith(`| ${id} `))!;
      expect(row('02a')).toMatch(/^\| 02a wash\(\): RPUSH every dish, then quit \| 1 of 1 \| ✓ (\d+) of \1 checks \| {2}\|$/);
      expect(row('02b')).toMatch(/^\| 02b .* \| 0 of 1 \| ✗ 0 of \d+ checks \| TODO: dry\(\) is not written yet \(it should stop on "quit"\) \|$/);
      expect(row('01a')).toContain('✗ not judged | no results');
      expect(lines.filter((line) => /^\| \d\d[a-z] /.test(line))).toHaveLength(steps.length);
      // Not full marks: the step fails, so the run is marked failed.
      expect(runs.summary!.code).toBe(1);
    });
  });
});
