/**
 * The files each kind of grading writes, by default path from the project's root: the one place
 * that says what `classroom grading <kind>` and `classroom handout --grading <kind>` write.
 */
import { join } from 'node:path';
import { actionsWorkflow, ACTIONS_FILE } from './actions.ts';
import { CLASSROOM50_DIR, classroom50Files } from './classroom50.ts';
import { GRADESCOPE_ZIP, gradescopeZip } from './gradescope-zip.ts';

export type GradingKind = 'actions' | 'classroom50' | 'gradescope';
export const KINDS: readonly GradingKind[] = ['actions', 'classroom50', 'gradescope'];

export interface GradingOutput {
  /** The default path, a file (actions, gradescope) or a folder (classroom50). */
  path: string;
  /** The files, by path relative to `path` ('' for `path` itself). */
  files: Record<string, string | Uint8Array>;
  /** What to do with it, for the command's last lines. */
  next: string;
}

export function isKind(kind: unknown): kind is GradingKind {
  return KINDS.includes(kind as GradingKind);
}

export function gradingOutput(kind: GradingKind): GradingOutput {
  if (kind === 'actions') {
    return {
      path: ACTIONS_FILE,
      files: { '': actionsWorkflow() },
      next: 'Commit it and push: every push then grades lessons/ in GitHub Actions, the points in the run\'s summary.',
    };
  }
  if (kind === 'classroom50') {
    return {
      path: CLASSROOM50_DIR,
      files: classroom50Files(),
      next:
        'In your classroom50 repository, put autograder.py at CLASSROOM/autograders/ASSIGNMENT/autograder.py and give the\n' +
        'assignment the runtime block: gh teacher assignment add ... --runtime runtime.json (Node 26, redis-server).',
    };
  }
  return {
    path: GRADESCOPE_ZIP,
    files: { '': gradescopeZip() },
    next: 'Upload it as the assignment\'s autograder on Gradescope, with the Ubuntu 24.04 base image.',
  };
}

export function outputFiles(output: GradingOutput, at: string): Array<{ file: string; content: string | Uint8Array }> {
  return Object.entries(output.files).map(([name, content]) => ({ file: name ? join(at, name) : at, content }));
}
