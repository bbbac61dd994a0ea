/**
 * Single keys from the terminal, without Enter. Raw mode stays on from the first key asked for
 * until `releaseKeys()`, so keys typed quickly in a row are all kept, in order, instead of
 * waiting in the terminal's line buffer. Ctrl-C that nobody is listening for becomes SIGINT.
 */
import { emitKeypressEvents } from 'node:readline';

type Handler = (key: string) => void;

const queue: string[] = [];
let waiter: Handler | undefined;
let subscriber: Handler | undefined;
let listening = false;

function onKeypress(text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined): void {
  const name = key?.ctrl && key.name === 'c' ? 'ctrl-c' : (key?.name ?? text ?? '');
  if (subscriber) subscriber(name);
  else if (waiter) {
    const resolve = waiter;
    waiter = undefined;
    resolve(name);
  } else if (name === 'ctrl-c') process.emit('SIGINT');
  else queue.push(name);
}

function listen(): void {
  if (listening || !process.stdin.isTTY) return;
  listening = true;
  emitKeypressEvents(process.stdin);
  process.stdin.setRawMode(true);
  process.stdin.on('keypress', onKeypress);
  process.stdin.resume();
}

/** The next key by name (`up`, `return`, `q`, `ctrl-c`). */
export function nextKey(): Promise<string> {
  listen();
  const queued = queue.shift();
  return queued !== undefined ? Promise.resolve(queued) : new Promise((resolve) => (waiter = resolve));
}

/** Forgets keys typed while nobody asked (during a check, say). */
export function dropTypedKeys(): void {
  queue.length = 0;
}

/** Sends every key to `handler` until the returned function is called. */
export function onKeys(handler: Handler): () => void {
  if (!process.stdin.isTTY) return () => {};
  listen();
  subscriber = handler;
  return () => {
    if (subscriber === handler) subscriber = undefined;
  };
}

/** Gives the terminal back as it was. */
export function releaseKeys(): void {
  if (!listening) return;
  listening = false;
  process.stdin.off('keypress', onKeypress);
  process.stdin.setRawMode(false);
  process.stdin.pause();
}
