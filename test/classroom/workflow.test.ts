/**
 * `npm start -- classroom workflow`: the file it writes is read back with a YAML parser and held to
 * the shape GitHub Classroom generates, and the graders' commands are run as the graders run them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { lessons } from '../../workshop/manifest.ts';
import { ROOT } from '../../workshop/target.ts';
import { workflowText, writeWorkflow } from '../../workshop/classroom/workflow.ts';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number>;
  env?: Record<string, string>;
}

interface Workflow {
  name: string;
  on: string[];
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; if: string; steps: Step[] }>;
}

const GRADER = 'classroom-resources/autograding-command-grader@v1';
const REPORTER = 'classroom-resources/autograding-grading-reporter@v1';
const steps = lessons.flatMap((lesson) => lesson.steps);
const dir = mkdtempSync(join(tmpdir(), 'workshop-workflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const workflow = parse(workflowText()) as Workflow;
const job = workflow.jobs['run-autograding-tests']!;
const graders = job.steps.filter((step) => step.uses === GRADER);

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

/**
 * A command as the command grader runs it: through a shell, with only PATH and HOME from its job
 * (and FORCE_COLOR), so nothing of this vitest run (VITEST, NODE_ENV, REDIS_URL) leaks into it.
 */
function asGrader(command: string, env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FORCE_COLOR: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, ms: Date.now() - started })));
}

function launch(args: string[], env: Record<string, string>): Promise<Run> {
  return asGrader(['node', 'workshop/launch.mjs', ...args].join(' '), env);
}

describe('classroom workflow', () => {
  it('has one command grader per step of the manifest, in its order, each running verify for its step', () => {
    expect(graders.map((grader) => grader.with?.['test-name'])).toEqual(steps.map((step) => `${step.id} ${step.title}`));
    for (const [i, grader] of graders.entries()) {
      const step = steps[i]!;
      expect(grader.name).toBe(grader.with?.['test-name']);
      expect(grader.with?.command, `the grader of ${step.id} must run exactly what a learner runs`).toBe(`npm run verify -- ${step.id}`);
      expect(grader.with?.['setup-command']).toBe('');
      expect(Number(grader.with?.timeout)).toBeGreaterThan(step.timeoutMs / 60_000);
      expect(Number(grader.with?.timeout)).toBeLessThanOrEqual(15);
    }
  });

  it('gives each grader a unique id that GitHub and the reporter accept', () => {
    const ids = graders.map((grader) => grader.id ?? '');
    expect(new Set(ids).size).toBe(steps.length);
    // GitHub: a step id starts with a letter or _; the reporter reads <ID>_RESULTS, so letters and digits only.
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it('scores a step by its difficulty, easy 1, medium 2, hard 3, and the points add up', () => {
    const scale = { easy: 1, medium: 2, hard: 3 };
    for (const [i, grader] of graders.entries()) expect(grader.with?.['max-score'], steps[i]!.id).toBe(scale[steps[i]!.difficulty]);
    const total = graders.reduce((sum, grader) => sum + Number(grader.with?.['max-score']), 0);
    expect(total).toBe(steps.reduce((sum, step) => sum + scale[step.difficulty], 0));
  });

  it('ends with the reporter, which lists every grader and reads each one\'s result', () => {
    const reporter = job.steps.at(-1)!;
    expect(reporter.uses).toBe(REPORTER);
    const ids = graders.map((grader) => grader.id);
    expect(String(reporter.with?.runners).split(',')).toEqual(ids);
    const env = Object.entries(reporter.env ?? {});
    expect(env).toHaveLength(ids.length);
    for (const [name, value] of env) {
      const id = /^\$\{\{steps\.([\w-]+)\.outputs\.result\}\}$/.exec(value)?.[1];
      expect(ids, `${name} reads ${value}, which is no grader's result`).toContain(id);
      expect(name).toBe(`${id!.toUpperCase()}_RESULTS`);
    }
  });

  it('runs as GitHub Classroom\'s workflows run: the triggers, permissions, Node 24, redis-server and one npm ci', () => {
    expect(workflow.name).toBe('Autograding Tests');
    expect(workflow.on).toEqual(['push', 'workflow_dispatch', 'repository_dispatch']);
    expect(workflow.permissions).toEqual({ checks: 'write', actions: 'read', contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['run-autograding-tests']);
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.if).toBe("github.actor != 'github-classroom[bot]'");
    const before = job.steps.slice(0, job.steps.indexOf(graders[0]!));
    expect(before[0]?.uses).toMatch(/^actions\/checkout@v\d+$/);
    expect(before.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(24);
    expect(before.some((step) => /apt-get install .*redis-server/.test(step.run ?? ''))).toBe(true);
    expect(before.at(-1)?.run).toMatch(/^npm ci\b/);
    expect(job.steps.filter((step) => /\bnpm ci\b/.test(step.run ?? ''))).toHaveLength(1);
  });

  it('grades lessons/: nothing in it points verify at the solutions', () => {
    expect(workflowText()).not.toMatch(/WORKSHOP_TARGET|solutions/);
  });

  it('writes the same bytes every time, and replaces a different file only when forced', () => {
    const file = join(dir, 'api', '.github', 'workflows', 'classroom.yml');
    expect(writeWorkflow(file)).toBe('written');
    expect(readFileSync(file, 'utf8')).toBe(workflowText());
    expect(writeWorkflow(file)).toBe('unchanged');
    writeFileSync(file, `${workflowText()}# the instructor's own line\n`);
    expect(writeWorkflow(file)).toBe('exists');
    expect(readFileSync(file, 'utf8')).toContain("the instructor's own line");
    expect(writeWorkflow(file, { force: true })).toBe('written');
    expect(readFileSync(file, 'utf8')).toBe(workflowText());
  });

  it('npm start -- classroom workflow writes the file, says what comes next, and refuses to overwrite a different one', { timeout: 30_000 }, async () => {
    const file = join(dir, 'cli', 'classroom.yml');
    const wrote = await launch(['start', 'classroom', 'workflow'], { WORKSHOP_WORKFLOW: file });
    expect(wrote.code, wrote.output).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(workflowText());
    expect(wrote.output).toContain(`Wrote ${file}: ${steps.length} graders`);
    expect(wrote.output).toMatch(/commit it and push/);
    expect(wrote.output.trim().split('\n').length).toBeLessThanOrEqual(4);
    writeFileSync(file, 'name: mine\n');
    const refused = await launch(['start', 'classroom', 'workflow'], { WORKSHOP_WORKFLOW: file });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('name: mine\n');
    const unknown = await launch(['start', 'classroom', 'flow'], { WORKSHOP_WORKFLOW: file });
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('Unknown classroom command `flow`');
  });

  // Each grader's command exactly as the workflow runs it, one after another, as GitHub would (about a
  // minute on a quiet machine, two on a busy one): a step that passes only in company of the
  // others would show here.
  it('every grader\'s command passes on the solutions, each run alone', { timeout: 400_000 }, async () => {
    for (const grader of graders) {
      const run = await asGrader(String(grader.with?.command), { WORKSHOP_TARGET: 'solutions' });
      expect(run.code, `${grader.with?.command}:\n${run.output}`).toBe(0);
      expect(run.output).toMatch(/\d+ passed, 0 failed/);
    }
  });

  it('a grader fails on the starters: 02a as shipped in lessons/', { timeout: 60_000 }, async () => {
    const command = graders.find((grader) => grader.id?.endsWith('02a'))!.with!.command!;
    const run = await asGrader(String(command), { WORKSHOP_PROGRESS: join(dir, 'progress.json') });
    expect(run.code, run.output).not.toBe(0);
    // Failed by its checks, not for want of Redis or of a step to run.
    expect(run.output).toMatch(/\d+ passed, [1-9]\d* failed/);
  });
});
