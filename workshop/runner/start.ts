/**
 * `npm start`: in a terminal, the menu; piped or in CI, the overview, and done. With a command:
 *
 *   npm start -- hint 02b          the step's hint
 *   npm start -- diff 02b          your files against the solution (--force before the step passed)
 *   npm start -- reset 02b         the step's files as shipped, yours saved first (--yes to skip the question)
 *   npm start -- reset all         every step
 *   npm start -- readme 02         the lesson's README
 *   npm start -- join <address> --name <name>   check on your own Redis in a classroom, results to its board
 *   npm start -- leave             back to a Redis on this machine
 *   npm start -- classroom grading actions|classroom50|gradescope   grading for a class (workshop/grading/cli.ts)
 *   npm start -- classroom handout <folder>   a copy for learners, without the solutions (--grading <kind>)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { lessons, nearest, select, type StepInfo } from '../manifest.ts';
import { classroomCommand } from '../classroom/learner-cli.ts';
import { workflowCommand } from '../classroom/workflow.ts';
import { gradingCommand, GRADING_USAGE, handoutCommand } from '../grading/cli.ts';
import { menu } from './menu.ts';
import { overview } from './overview.ts';
import { forget, readProgress } from './progress.ts';
import { noSolutions, resetSteps, solutionDiff, solutionsShipped } from './step-files.ts';
import { ROOT } from '../target.ts';

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'join' || argv[0] === 'leave') return classroomCommand(argv);
  const [command, name, ...rest] = argv.filter((arg) => !arg.startsWith('-'));
  const flags = new Set(argv.filter((arg) => arg.startsWith('-')));
  if (!command) {
    if (process.stdin.isTTY && process.stdout.isTTY && !flags.has('--list')) return menu();
    console.log(overview(readProgress()));
    return 0;
  }
  // The classroom's commands take options with values (--out PATH), so they read the arguments themselves.
  if (command === 'classroom') return classroom(argv.slice(argv.indexOf('classroom') + 1));
  if (!['hint', 'diff', 'reset', 'readme'].includes(command) || rest.length > 0) {
    const guess = rest.length === 0 ? nearest(command, ['hint', 'diff', 'reset', 'readme', 'join', 'leave', 'classroom']) : undefined;
    console.error(
      `Unknown command \`${argv.join(' ')}\`.${guess ? ` Did you mean \`npm start -- ${[guess, name].filter(Boolean).join(' ')}\`?` : ''}\n` +
        'Commands: hint, diff, reset, readme, each with a step such as 02b; join, leave; classroom grading, classroom handout.',
    );
    return 2;
  }
  if (!name) {
    console.error(`Which step? For example: npm start -- ${command} 02b`);
    return 2;
  }
  let steps: StepInfo[];
  try {
    steps = name === 'all' && command === 'reset' ? lessons.flatMap((lesson) => lesson.steps) : select(name).steps;
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (command === 'hint') for (const step of steps) console.log(`Hint for ${step.id}: ${step.hint}`);
  if (command === 'readme') {
    const file = join(ROOT, 'lessons', select(name).lesson.slug, 'README.md');
    console.log(existsSync(file) ? readFileSync(file, 'utf8') : `${file} is missing.`);
  }
  if (command === 'diff') return diff(steps, flags.has('--force'));
  if (command === 'reset') return reset(name, steps, flags.has('--yes'));
  return 0;
}

function classroom(args: readonly string[]): number {
  const [subcommand, ...rest] = args;
  if (subcommand === 'workflow') return workflowCommand();
  if (subcommand === 'grading') return gradingCommand(rest);
  if (subcommand === 'handout') return handoutCommand(rest);
  const typed = args.filter(Boolean).join(' ');
  console.error(`${typed ? `Unknown classroom command \`${typed}\`.` : 'Which classroom command?'}\n${GRADING_USAGE}`);
  return 2;
}

function diff(steps: readonly StepInfo[], force: boolean): number {
  if (!solutionsShipped()) {
    console.error(noSolutions(steps[0]?.id));
    return 1;
  }
  const progress = readProgress();
  const unsolved = steps.filter((step) => !progress.steps[step.id]?.firstPassedAt);
  if (unsolved.length > 0 && !force) {
    console.error(
      `${unsolved.map((step) => step.id).join(', ')} has not passed yet, and the solution would give the answer away.\n` +
        `Try the hint first (npm start -- hint ${unsolved[0]!.id}), or ask for it anyway: npm start -- diff ${unsolved[0]!.id} --force`,
    );
    return 1;
  }
  for (const step of steps) console.log(solutionDiff(step));
  return 0;
}

async function reset(name: string, steps: readonly StepInfo[], yes: boolean): Promise<number> {
  const what = name === 'all' ? 'every step of every lesson' : steps.map((step) => step.id).join(', ');
  if (!yes) {
    if (!process.stdin.isTTY) {
      console.error(`Reset ${what}? Nothing was changed: add --yes to confirm (npm start -- reset ${name} --yes).`);
      return 1;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Reset ${what}? Your files are saved first. [y/N] `);
    prompt.close();
    if (answer.trim().toLowerCase() !== 'y') {
      console.log('Nothing was changed.');
      return 1;
    }
  }
  let backup: string;
  try {
    backup = resetSteps(steps);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  forget(name === 'all' ? undefined : steps.map((step) => step.id));
  console.log(`Reset ${what}. Your previous files are in ${backup}/.`);
  return 0;
}
