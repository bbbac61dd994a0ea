/**
 * `npm start -- classroom workflow`, retired: it wrote a workflow for GitHub Classroom, built on
 * the classroom-resources autograding actions (the deprecated Node 20 action runtime, reporting to
 * a product that no longer exists). It now says what replaced it, and writes nothing.
 */

export const WORKFLOW_RETIRED = [
  'GitHub Classroom closed on 28 August 2026, and `classroom workflow` wrote its autograding workflow; nothing was written.',
  'Grade with one of these instead (README.md, "For instructors", says which to pick):',
  '  npm start -- classroom grading actions       a plain GitHub Actions workflow, the points in each run\'s summary',
  '  npm start -- classroom grading classroom50   an autograder.py for Classroom 50',
  '  npm start -- classroom grading gradescope    an autograder zip for Gradescope',
].join('\n');

export function workflowCommand(): number {
  console.error(WORKFLOW_RETIRED);
  return 1;
}
