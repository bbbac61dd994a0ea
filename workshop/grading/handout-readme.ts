/**
 * The README of a learner's copy: the learner's part of the project's README (everything before
 * "## For instructors"), without what points at the solutions, the slides and the race, which the
 * copy does not hold, and with a word on how the copy is graded.
 */

const INSTRUCTORS = '\n## For instructors\n';

/** What the copy leaves out of the learner's part; each must be found, or the README moved on and this file must follow. */
const REMOVED: readonly RegExp[] = [
  / The reference solutions are in `solutions\/`: look when you are done\./,
  /\nnpm start -- diff 02b [^\n]*/,
  /\nnpm run slides [^\n]*/,
  /\nnpm run race -- 02 [^\n]*/,
];

const GRADED: Readonly<Record<string, string>> = {
  actions:
    'Every push runs `.github/workflows/grading.yml` on GitHub: each step is checked as `npm run verify` ' +
    'checks it, and the run\'s summary (the Actions tab, then the run) shows your points and the first failure of each step.',
  classroom50:
    'Your instructor grades it with Classroom 50: each push (or `gh student submit`) runs every step as `npm run verify` ' +
    'does, and the release it makes shows your points. `python3 classroom50-autograder/autograder.py` gives the same points on your machine.',
  gradescope:
    'Your instructor grades it on Gradescope: submit this repository (or its `lessons/` folder). Each step scores its ' +
    'points when all its checks pass, as `npm run verify` shows them.',
};

export const GRADING_KINDS = Object.keys(GRADED);

export function handoutReadme(readme: string, grading?: string): string {
  const end = readme.indexOf(INSTRUCTORS);
  if (end < 0) throw new Error('README.md has no "## For instructors" section to end the learner\'s part: update workshop/grading/handout-readme.ts.');
  let text = readme.slice(0, end);
  for (const pattern of REMOVED) {
    if (!pattern.test(text)) throw new Error(`README.md no longer has ${pattern}: update workshop/grading/handout-readme.ts.`);
    text = text.replace(pattern, '');
  }
  const note = grading ? GRADED[grading] : undefined;
  if (grading && !note) throw new RangeError(`Expected \`grading\` to be one of ${GRADING_KINDS.join(', ')}, got \`${grading}\``);
  return `${text.trimEnd()}\n${note ? `\n## Grading\n\n${note}\n` : ''}`;
}
