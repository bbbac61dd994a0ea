/**
 * `npm start -- classroom grading gradescope`: `gradescope-autograder.zip` to upload as the
 * assignment's autograder: setup.sh and run_autograder at its root (Gradescope's layout), with the
 * workshop as a learner's copy holds it (handout-files.ts: no solutions) beside them, so that
 * /autograder/source is the workshop and run_autograder lays the submission's lessons/ over it.
 */
import { readFileSync } from 'node:fs';
import { minRedisFor } from '../manifest.ts';
import { allSteps, RESULTS_DIR } from './points.ts';
import { handoutFiles } from './handout-files.ts';
import { zip, type ZipEntry } from './zip.ts';

export const GRADESCOPE_ZIP = 'gradescope-autograder.zip';

function template(name: string, values: Record<string, string>): string {
  let text = readFileSync(new URL(`templates/${name}`, import.meta.url), 'utf8');
  for (const [key, value] of Object.entries(values)) {
    if (!text.includes(key)) throw new Error(`workshop/grading/templates/${name} has no ${key} to fill in.`);
    text = text.replaceAll(key, value);
  }
  return text;
}

export function setupScript(): string {
  return template('setup.sh', { __MIN_REDIS__: minRedisFor() ?? '6.0' });
}

export function runAutograder(): string {
  return template('run_autograder', { __STEPS__: allSteps().map((step) => step.id).join(' '), __RESULTS_DIR__: RESULTS_DIR });
}

export function gradescopeEntries(): ZipEntry[] {
  return [
    { name: 'setup.sh', data: Buffer.from(setupScript()), mode: 0o755 },
    { name: 'run_autograder', data: Buffer.from(runAutograder()), mode: 0o755 },
    ...handoutFiles('gradescope').map((file) => ({ name: file.path, data: file.data, mode: file.mode })),
  ];
}

export function gradescopeZip(): Buffer {
  return zip(gradescopeEntries());
}
