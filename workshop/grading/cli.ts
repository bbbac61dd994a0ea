/**
 * The grading commands, under `npm start -- classroom`:
 *
 *   classroom grading actions       .github/workflows/grading.yml: GitHub Actions, points in the run's summary
 *   classroom grading classroom50   classroom50-autograder/: autograder.py and runtime.json for Classroom 50
 *   classroom grading gradescope    gradescope-autograder.zip: setup.sh, run_autograder and the workshop
 *     --out PATH   write there instead        --force   replace a different file
 *   classroom handout <folder> [--grading actions|classroom50|gradescope]
 *                                   a git repository for learners: no solutions, the grading included
 */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { gradingOutput, isKind, KINDS, outputFiles } from './grading-files.ts';
import { writeHandout } from './handout.ts';
import { ROOT } from '../target.ts';
import { shown, userPath, writeGenerated } from './write.ts';

export const GRADING_USAGE = [
  `Usage: npm start -- classroom grading <${KINDS.join('|')}> [--force] [--out PATH]`,
  `       npm start -- classroom handout <folder> [--grading ${KINDS.join('|')}]`,
].join('\n');

function parse(args: readonly string[], options: ParseArgsOptionsConfig) {
  return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
}

export function gradingCommand(args: readonly string[]): number {
  let parsed;
  try {
    parsed = parse(args, { force: { type: 'boolean' }, out: { type: 'string' } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${GRADING_USAGE}`);
    return 2;
  }
  const [kind, ...extra] = parsed.positionals;
  if (!isKind(kind) || extra.length > 0) {
    console.error(`${kind ? `Unknown kind of grading \`${[kind, ...extra].join(' ')}\`.` : 'Which kind of grading?'}\n${GRADING_USAGE}`);
    return 2;
  }
  const output = gradingOutput(kind);
  const at = typeof parsed.values.out === 'string' ? userPath(parsed.values.out) : resolve(ROOT, output.path);
  const force = parsed.values.force === true;
  const files = outputFiles(output, at);
  const outcomes = files.map(({ file, content }) => ({ file, outcome: writeGenerated(file, content, { force }) }));
  const refused = outcomes.filter(({ outcome }) => outcome === 'exists');
  if (refused.length > 0 && !force) {
    console.error(
      `${refused.map(({ file }) => shown(file)).join(', ')} is there already and differs from what the lessons give; nothing else changed there.\n` +
        `Keep it, or replace it: npm start -- classroom grading ${kind} --force`,
    );
    return 1;
  }
  for (const { file, outcome } of outcomes) console.log(outcome === 'written' ? `Wrote ${shown(file)}.` : `${shown(file)} is up to date.`);
  console.log(output.next);
  return 0;
}

export function handoutCommand(args: readonly string[]): number {
  let parsed;
  try {
    parsed = parse(args, { grading: { type: 'string' } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${GRADING_USAGE}`);
    return 2;
  }
  const [folder, ...extra] = parsed.positionals;
  const grading = parsed.values.grading;
  if (!folder || extra.length > 0 || (grading !== undefined && !isKind(grading))) {
    console.error(`${grading !== undefined && !isKind(grading) ? `Unknown kind of grading \`${String(grading)}\`.` : 'Which folder? For example: npm start -- classroom handout ../workshop-for-learners --grading actions'}\n${GRADING_USAGE}`);
    return 2;
  }
  try {
    const handout = writeHandout(userPath(folder), isKind(grading) ? grading : undefined);
    console.log(`Wrote ${handout.folder}: a git repository with one commit, ${handout.files} files, no solutions.`);
    if (handout.beside) console.log(`Wrote ${handout.beside}: upload it as the assignment's autograder on Gradescope.`);
    console.log('Next: push it to a new repository, and hand that out (as a template repository for GitHub or Classroom 50).');
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}
