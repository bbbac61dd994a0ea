/** Lesson 04, step 04a: transition(). Loaded by test/04-pubsub-status.test.ts. */
import { Status, transition } from '#target/04-pubsub-status/status.ts';
import { attempt, name } from './lesson-04.ts';
import { expect, step, test } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { transitionProbe } from './contract/lesson-04.ts';

const WORDS = ['ready', 'start', 'pause', 'resume', 'end'];
/** The table of the README: [from, word, to]. Every other pair leaves the status as it is. */
const MOVES: Array<[number, string, number]> = [
  [Status.INIT, 'ready', Status.READY],
  [Status.READY, 'start', Status.RUNNING],
  [Status.RUNNING, 'pause', Status.PAUSED],
  [Status.PAUSED, 'resume', Status.RUNNING],
  [Status.INIT, 'end', Status.END],
  [Status.READY, 'end', Status.END],
  [Status.RUNNING, 'end', Status.END],
  [Status.PAUSED, 'end', Status.END],
];

step('04a', () => {
  test('takes every move in the table', () => {
    for (const [from, word, to] of MOVES) {
      const got = transition(from as Status, word);
      expect(got, `transition(${name(from)}, '${word}') should be ${name(to)}, got ${name(got)}`).toBe(to);
    }
  });

  test('END is final: no word leads out of it', () => {
    for (const word of WORDS) {
      const got = transition(Status.END, word);
      expect(
        got,
        `transition(END, '${word}') returned ${name(got)}, but END is final: the listener has unsubscribed and its thread is gone, ` +
          'so nothing may bring it back. Give END no moves at all',
      ).toBe(Status.END);
    }
  });

  test('ignores a word that is not allowed in the current status', () => {
    for (const from of [Status.INIT, Status.READY, Status.RUNNING, Status.PAUSED]) {
      for (const word of WORDS) {
        if (MOVES.some(([f, w]) => f === from && w === word)) continue;
        const got = transition(from, word);
        expect(
          got,
          `transition(${name(from)}, '${word}') returned ${name(got)}, but '${word}' is not a move from ${name(from)} ` +
            `(see the table in the README): the word alone does not decide, the pair does, so the status must stay ${name(from)}`,
        ).toBe(from);
      }
    }
  });

  test('ignores messages that are not status words, even toString and constructor', () => {
    const others = ['START', 'Start', ' start', 'end ', 'stop', 'RUNNING', '', 'hello', 'toString', 'constructor', '__proto__', 'hasOwnProperty'];
    for (const from of [Status.INIT, Status.READY, Status.RUNNING, Status.PAUSED, Status.END]) {
      for (const word of others) {
        const got: unknown = transition(from, word);
        expect(
          got,
          typeof got !== 'number'
            ? `transition(${name(from)}, '${word}') returned a ${typeof got}: your table is a plain object, and every object also answers ` +
                "to 'toString', 'constructor' and '__proto__'. Look moves up with Object.hasOwn(table, word), or keep them in a Map"
            : `transition(${name(from)}, ${JSON.stringify(word)}) returned ${name(got)}: that is not a status word (they are exactly ` +
                `${WORDS.join(', ')}), so the status must stay ${name(from)}`,
        ).toBe(from);
      }
    }
  });

  test('throws a TypeError naming `status` or `message` when one is not what it should be', () => {
    for (const bad of [7, -1, 1.5, Number.NaN, '2', undefined]) {
      const { error, outcome } = attempt(() => transition(bad as Status, 'start'));
      expect(
        error instanceof TypeError && /status/.test(error.message) && error.message.includes(String(bad)),
        `transition(${JSON.stringify(bad) ?? 'undefined'}, 'start') should throw a TypeError that names \`status\` and the value it got, ` +
          `not ${outcome}. A number in shared memory that is no status is a bug to report, not a status to keep`,
      ).toBe(true);
    }
    const { error, outcome } = attempt(() => transition(Status.READY, 42 as unknown as string));
    expect(
      error instanceof TypeError && /message/.test(error.message),
      `transition(READY, 42) should throw a TypeError that names \`message\`, not ${outcome}`,
    ).toBe(true);
  });

  contractChecks('04a', transitionProbe);
});
