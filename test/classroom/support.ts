/** A classroom on a free loopback port with its state in a temporary folder, and learners that talk to it over HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClassroom, type Classroom, type ClassroomOptions } from '../../workshop/classroom/server.ts';
import type { JoinReply, ResultReport, StepReport } from '../../workshop/classroom/protocol.ts';

export interface TestClassroom extends Classroom {
  dataDir: string;
  /** Closes the class and removes its folder. */
  end(): Promise<void>;
}

export async function openClass(options: ClassroomOptions = {}): Promise<TestClassroom> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'workshop-classroom-'));
  const classroom = await startClassroom({ port: 0, host: '127.0.0.1', ...options, dataDir });
  return Object.assign(classroom, {
    dataDir,
    end: async () => {
      await classroom.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T & { error?: string };
}

export async function post<T = Record<string, unknown>>(url: string, body: unknown, auth?: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer<T>['body'] };
}

export async function get(url: string, token?: string): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
}

export interface TestLearner extends JoinReply {
  auth: string;
}

export async function joinAs(classroom: Classroom, name: string, secret?: string): Promise<TestLearner> {
  const answer = await post<JoinReply>(`${classroom.url}/api/join`, { code: classroom.code, name, ...(secret ? { secret } : {}) });
  if (answer.status >= 300) throw new Error(`join as ${name}: ${answer.status} ${answer.body.error}`);
  return { ...answer.body, auth: `${answer.body.learnerId}.${answer.body.secret}` };
}

let runs = 0;

export function report(steps: Array<Partial<StepReport> & { step: string }>, runId = `run-${process.pid}-${++runs}-${Date.now()}`): ResultReport {
  return {
    runId,
    at: new Date().toISOString(),
    via: 'verify',
    steps: steps.map((step) => ({ status: 'failed', passed: 0, checks: 3, failing: [], ...step })),
  };
}

export function sendResult(classroom: Classroom, learner: TestLearner, result: ResultReport): Promise<Answer> {
  return post(`${classroom.url}/api/results`, result, learner.auth);
}

/** The learner's own Redis, as their workshop gets it. */
export async function redisOf(classroom: Classroom, learner: TestLearner): Promise<string> {
  const answer = await post<{ url: string }>(`${classroom.url}/api/redis`, {}, learner.auth);
  if (answer.status !== 200) throw new Error(`redis for ${learner.name}: ${answer.status} ${answer.body.error}`);
  return answer.body.url;
}
