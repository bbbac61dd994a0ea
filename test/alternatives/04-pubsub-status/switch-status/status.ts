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

export function transition(status: Status, message: string): Status {
  if (typeof message !== 'string') {
    throw new TypeError(`message must be a string, got ${typeof message}: ${String(message)}`);
  }
  switch (status) {
    case Status.INIT:
      return message === 'ready' ? Status.READY : message === 'end' ? Status.END : status;
    case Status.READY:
      return message === 'start' ? Status.RUNNING : message === 'end' ? Status.END : status;
    case Status.RUNNING:
      if (message === 'pause') return Status.PAUSED;
      if (message === 'end') return Status.END;
      return status;
    case Status.PAUSED:
      if (message === 'resume') return Status.RUNNING;
      if (message === 'end') return Status.END;
      return status;
    case Status.END:
      return status;
    default:
      throw new TypeError(`status must be one of the Status values, got ${String(status)}`);
  }
}
