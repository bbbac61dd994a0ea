/**
 * What the server accepts from a learner's workshop, checked field by field: a request that does
 * not fit is refused with 400 and the field it got wrong, and changes nothing.
 */
import type { StepStatus } from '../checks/check-result.ts';
import { STEP_IDS } from './board-model.ts';
import { HttpError } from './http.ts';
import type { FailingCheck, JoinRequest, ResultReport, StepReport } from './protocol.ts';

const STATUSES = new Set<StepStatus>(['passed', 'failed', 'error']);
const MESSAGE_LIMIT = 500;

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, `Expected ${what} to be an object.`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw new HttpError(400, `Expected ${what} to be text.`);
  if (value.length > max) throw new HttpError(400, `Expected ${what} to be at most ${max} characters.`);
  return value;
}

function count(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 10_000) throw new HttpError(400, `Expected ${what} to be a whole number from 0 to 10000.`);
  return value as number;
}

/** A learner's name: 1 to 40 characters once trimmed, letters of any script, no control characters. */
export function learnerName(value: unknown): string {
  const name = text(value, 'name', 200).normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > 40) throw new HttpError(400, 'A name is 1 to 40 characters, such as --name "Ada L".');
  if (/\p{Cc}|\p{Cf}/u.test(name)) throw new HttpError(400, 'A name cannot hold control characters.');
  return name;
}

export function joinRequest(body: unknown): JoinRequest {
  const fields = object(body, 'the body');
  const secret = fields.secret === undefined || fields.secret === null ? undefined : text(fields.secret, 'secret', 200);
  return { code: text(fields.code, 'code', 40).trim().toUpperCase(), name: learnerName(fields.name), ...(secret ? { secret } : {}) };
}

export function resultReport(body: unknown): ResultReport {
  const fields = object(body, 'the body');
  const runId = text(fields.runId, 'runId', 100);
  if (!/^[\w-]{8,100}$/.test(runId)) throw new HttpError(400, 'Expected runId to be 8 to 100 letters, digits, - or _.');
  const at = text(fields.at, 'at', 40);
  if (Number.isNaN(Date.parse(at))) throw new HttpError(400, 'Expected at to be an ISO time.');
  const via = fields.via;
  if (via !== 'verify' && via !== 'watch') throw new HttpError(400, 'Expected via to be verify or watch.');
  if (!Array.isArray(fields.steps) || fields.steps.length === 0 || fields.steps.length > STEP_IDS.size) {
    throw new HttpError(400, `Expected steps to be a list of 1 to ${STEP_IDS.size} step results.`);
  }
  const seen = new Set<string>();
  const steps = fields.steps.map((entry: unknown, index): StepReport => {
    const step = object(entry, `steps[${index}]`);
    const id = text(step.step, `steps[${index}].step`, 10);
    if (!STEP_IDS.has(id)) throw new HttpError(400, `There is no step ${id}.`);
    if (seen.has(id)) throw new HttpError(400, `Step ${id} is reported twice.`);
    seen.add(id);
    const status = step.status as StepStatus;
    if (!STATUSES.has(status)) throw new HttpError(400, `Expected steps[${index}].status to be passed, failed or error.`);
    const passed = count(step.passed, `steps[${index}].passed`);
    const checks = count(step.checks, `steps[${index}].checks`);
    if (passed > checks) throw new HttpError(400, `steps[${index}] passed more checks than it has.`);
    if (!Array.isArray(step.failing) || step.failing.length > 50) throw new HttpError(400, `Expected steps[${index}].failing to be a list of at most 50 checks.`);
    const failing = step.failing.map((check: unknown, at): FailingCheck => {
      const fieldsOf = object(check, `steps[${index}].failing[${at}]`);
      return {
        check: text(fieldsOf.check, 'a failing check\'s name', 300),
        message: cut(text(fieldsOf.message, 'a failing check\'s message', 4000)),
      };
    });
    return { step: id, status, passed, checks, failing };
  });
  return { runId, at, via, steps };
}

function cut(message: string): string {
  return message.length > MESSAGE_LIMIT ? `${message.slice(0, MESSAGE_LIMIT - 1)}…` : message;
}
