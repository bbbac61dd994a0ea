import type { Mutant } from '../index.ts';

export const mutants: Mutant[] = [
  { name: 'pending-ready', step: '04b', mistake: 'never rejects ready when the thread ends before subscribing', expect: /`ready` was still pending 2 s after the thread had ended without subscribing/ },
  { name: 'required-onmessage', step: '04b', mistake: 'calls onMessage for a plain message even when none was given', expect: /with no onMessage given \(it is optional\), a plain message threw/ },
  { name: 'end-restarts', step: '04a', mistake: 'lets "start" bring an ended listener back to RUNNING', expect: /END is final/ },
  { name: 'object-table', step: '04a', mistake: 'looks moves up in a plain object, which also has toString and constructor', expect: /Object\.hasOwn\(table, word\), or keep them in a Map/ },
  { name: 'word-decides', step: '04a', mistake: 'lets the word alone decide the new status, whatever the current one', expect: /the word alone does not decide, the pair does/ },
  { name: 'unchecked-status', step: '04a', mistake: 'returns a status that is no status unchanged instead of throwing', expect: /TypeError that names `status`/ },
  { name: 'ready-on-online', step: '04b', mistake: "resolves ready on the worker's 'online' event, before it has subscribed", expect: /reached 0 subscribers: `ready` resolved before Redis had confirmed/ },
  { name: 'unawaited-subscribe', step: '04b', mistake: 'reports ready right after calling subscribe(), without awaiting it', expect: /reached 0 subscribers: `ready` resolved before Redis had confirmed/ },
  { name: 'confirmation-message', step: '04b', mistake: 'waits for a first message as the confirmation, as in redis-py', expect: /confirmation is the resolved promise of `await conn\.subscribe\(channel\)`/ },
  { name: 'main-thread-listener', step: '04b', mistake: 'subscribes in the parent thread, with no worker thread', expect: /should listen in a worker thread/ },
  { name: 'status-by-message', step: '04b', mistake: 'posts each new status to the parent, which keeps it in a field', expect: /while this thread was busy, listener\.status stayed READY/ },
  { name: 'everything-to-onmessage', step: '04b', mistake: 'passes status words to onMessage too', expect: /status words change the status; they are not passed to onMessage/ },
  { name: 'skips-transition', step: '04b', mistake: 'sets the status a word names without asking transition()', expect: /they must be ignored\. Let transition\(\) decide every move/ },
  { name: 'end-stays-subscribed', step: '04b', mistake: 'stores END but stays subscribed and connected', expect: /still subscribed and `done` was pending/ },
  { name: 'end-without-quit', step: '04b', mistake: 'unsubscribes on END but leaves the connection open', expect: /its connection \(status-listener\) was still open 3 s later/ },
  { name: 'quit-without-unsubscribe', step: '04b', mistake: 'quits on END without unsubscribing first', expect: /should send UNSUBSCRIBE before it closes/ },
  { name: 'done-on-message', step: '04b', mistake: "resolves done on a goodbye message the worker posts on END, not on 'exit'", expect: /resolve it on the worker's 'exit' event, not on a message/ },
  { name: 'close-rejects-done', step: '04b', mistake: 'lets done reject when close() terminates the thread', expect: /Ending the thread was asked for, so close\(\) and `done` should resolve, not reject/ },
  { name: 'shared-status', step: '04b', mistake: 'keeps the status slot in one SharedArrayBuffer made at module level, so every listener shares it', expect: /two StatusListeners shared their status/ },
  { name: 'ready-timer', step: '04b', mistake: 'rejects ready after 10 s if nothing subscribed, but never clears that timer', expect: /after `done`, your listener left 1 timer \(setTimeout or setInterval\) still pending/ },
];
