/**
 * The statuses of a listener and the moves allowed between them.
 *
 * Statuses are small numbers, so that one fits in an Int32 slot of shared memory: the worker
 * thread stores it there and the parent reads it, as `multiprocessing.Value('i')` does in Python.
 */

/** Every status a listener can be in. @example listener.status === Status.RUNNING */
export const Status = { INIT: 0, READY: 1, RUNNING: 2, PAUSED: 3, END: 4 } as const;
export type Status = (typeof Status)[keyof typeof Status];

const NAMES = ['INIT', 'READY', 'RUNNING', 'PAUSED', 'END'] as const;

/**
 * The name of a status, for messages and logs.
 * @example statusName(Status.PAUSED) // 'PAUSED'
 */
export function statusName(status: number): string {
  return NAMES[status] ?? `not a status (${String(status)})`;
}

/** The words that move a listener from one status to another; every other message is plain data. */
export const COMMANDS = ['ready', 'start', 'pause', 'resume', 'end'] as const;
export type Command = (typeof COMMANDS)[number];

/** True when `message` is one of the status words (exactly, lower case). */
export function isCommand(message: string): message is Command {
  return (COMMANDS as readonly string[]).includes(message);
}

// Kept in a Map: a plain object would also answer to 'toString' or 'constructor'.
const MOVES = new Map<Status, Map<string, Status>>([
  [Status.INIT, new Map([['ready', Status.READY], ['end', Status.END]])],
  [Status.READY, new Map([['start', Status.RUNNING], ['end', Status.END]])],
  [Status.RUNNING, new Map([['pause', Status.PAUSED], ['end', Status.END]])],
  [Status.PAUSED, new Map([['resume', Status.RUNNING], ['end', Status.END]])],
  // END is final: no word leads out of it.
  [Status.END, new Map()],
]);

/**
 * Where `message` moves a listener that is in `status`. A word that is not allowed in this status,
 * or a message that is no status word at all, leaves the status as it is.
 *
 * @example
 * transition(Status.READY, 'start')  // Status.RUNNING
 * transition(Status.READY, 'resume') // Status.READY: resume is for a paused listener
 * transition(Status.END, 'start')    // Status.END: nothing comes after the end
 */
export function transition(status: Status, message: string): Status {
  const moves = MOVES.get(status);
  if (!moves) {
    throw new TypeError(`Expected \`status\` to be one of Status.INIT … Status.END (0 to 4), got \`${String(status)}\` (${typeof status})`);
  }
  if (typeof message !== 'string') {
    throw new TypeError(`Expected \`message\` to be a string, got \`${String(message)}\` (${typeof message})`);
  }
  if (status === Status.END) return status;
  switch (message) {
    case 'ready': return Status.READY;
    case 'start': case 'resume': return Status.RUNNING;
    case 'pause': return Status.PAUSED;
    case 'end': return Status.END;
    default: return status;
  }
}
