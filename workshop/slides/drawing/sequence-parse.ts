/**
 * The text of a sequence drawing, read into participants and events.
 *
 * ```sequence
 * participant redis as Redis          # optional: order and label
 * dryer --> redis: BLPOP dishes 0     # dashed: a request that waits (blocked)
 * washer -> redis: RPUSH dishes salad # solid: a message or a reply
 * redis -> dryer: salad
 * dryer -> dryer: dry it              # to itself: work
 * note over dryer, redis: parked      # a note over one or more participants
 * == later ==                         # a divider across the whole drawing
 * ```
 */

export interface Participant {
  id: string;
  label: string;
}

export type SequenceEvent =
  | { kind: 'message'; from: number; to: number; label: string; dashed: boolean }
  | { kind: 'note'; over: number[]; text: string }
  | { kind: 'divider'; text: string };

export interface Sequence {
  participants: Participant[];
  events: SequenceEvent[];
}

/** A line that is not sequence syntax; `line` counts from 1 within the drawing (or within `where`). */
export class SequenceSyntaxError extends Error {
  readonly line: number;
  readonly detail: string;

  constructor(line: number, detail: string, where = 'of the drawing', options?: ErrorOptions) {
    super(`line ${line} ${where}: ${detail}`, options);
    this.name = 'SequenceSyntaxError';
    this.line = line;
    this.detail = detail;
  }
}

const PARTICIPANT = /^participant\s+(.+?)(?:\s+as\s+(.+))?$/;
const MESSAGE = /^(.+?)\s*(-->|->)\s*(.+?)\s*(?::\s*(.*))?$/;
const NOTE = /^note\s+over\s+([^:]+?)\s*:\s*(.*)$/;
const DIVIDER = /^==\s*(.*?)\s*==$/;

export function parseSequence(text: string): Sequence {
  const participants: Participant[] = [];
  const events: SequenceEvent[] = [];
  const indexOf = (id: string): number => {
    const found = participants.findIndex((participant) => participant.id === id);
    if (found >= 0) return found;
    participants.push({ id, label: id });
    return participants.length - 1;
  };

  text.split('\n').forEach((raw, index) => {
    // A comment starts with "#" and a space (or ends the line), at the start or after a space.
    const line = raw.replace(/(?:^|\s)#(?:\s.*)?$/, '').trim();
    if (!line) return;
    let match: RegExpExecArray | null;
    if ((match = PARTICIPANT.exec(line))) {
      const id = match[1]!;
      if (participants.some((participant) => participant.id === id)) {
        throw new SequenceSyntaxError(index + 1, `participant "${id}" is declared after it was used; declare it first`);
      }
      participants.push({ id, label: match[2] ?? id });
    } else if ((match = DIVIDER.exec(line))) {
      events.push({ kind: 'divider', text: match[1]! });
    } else if ((match = NOTE.exec(line))) {
      const over = match[1]!.split(',').map((id) => indexOf(id.trim()));
      events.push({ kind: 'note', over, text: match[2]! });
    } else if ((match = MESSAGE.exec(line))) {
      events.push({
        kind: 'message',
        from: indexOf(match[1]!),
        to: indexOf(match[3]!),
        label: match[4] ?? '',
        dashed: match[2] === '-->',
      });
    } else {
      throw new SequenceSyntaxError(
        index + 1,
        `cannot read "${line}"; write "a -> b: text", "a --> b: text", "note over a: text", "== text ==" or "participant a as Label"`,
      );
    }
  });
  if (participants.length === 0) throw new SequenceSyntaxError(1, 'the drawing is empty; add "a -> b: text"');
  return { participants, events };
}
