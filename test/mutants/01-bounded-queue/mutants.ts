import type { Mutant } from '../index.ts';

export const mutants: Mutant[] = [
  { name: 'spinning-lock', step: '01a', mistake: 'retries the lock in a busy loop instead of sleeping in Atomics.wait', expect: /used \d+% of a core: it is spinning/ },
  { name: 'lock-without-compare-exchange', race: true, step: '01a', mistake: 'reads the lock, then writes LOCKED, in two steps', expect: /two threads were inside the lock at once/ },
  { name: 'with-lock-without-finally', step: '01a', mistake: 'withLock() unlocks only when fn returns normally', expect: /after fn threw, the lock was still held/ },
  { name: 'slot-zero-wait', step: '01a', mistake: 'waits and notifies on slot 0 whatever slot the mutex was given', expect: /with the mutex at slot \d of 4.*spinning/s },
  { name: 'unlock-without-check', step: '01a', mistake: 'unlock() never complains about a lock nobody holds', expect: /should throw an Error that says it is not locked/ },
  { name: 'queue-without-lock', step: '01b', mistake: 'changes head and size without taking the Mutex', expect: /did not take the Mutex/ },
  { name: 'spinning-queue', step: '01b', mistake: 'take() and put() retry in a busy loop instead of waiting', expect: /the thread waiting in take\(\) used \d+% of a core: it is spinning/ },
  { name: 'wait-on-constant', race: true, step: '01b', mistake: 'checks under the lock, then waits on a constant (a lost wake-up)', expect: /slept through the notify/ },
  { name: 'one-poison-pill', step: '01c', mistake: 'puts one poison pill for all the eaters', expect: /still running \(kitchen-worker\.ts\)[^]*one poison pill per eater/ },
  { name: 'pill-per-cook', step: '01c', mistake: 'puts one poison pill per cook, which is enough only while there are no more eaters than cooks', expect: /still running \(kitchen-worker\.ts[^]*one poison pill per eater/ },
  { name: 'resolve-before-exit', step: '01c', mistake: "resolves on each thread's last message, not on its 'exit'", expect: /resolved while \d+ worker thread\(s\) were still running[^]*'exit' event/ },
  { name: 'failed-thread-left-running', step: '01c', mistake: 'rejects when a thread fails but leaves the other threads running', expect: /rejected while \d+ worker thread\(s\) were still running: nothing may outlive the kitchen/ },
  { name: 'waits-for-every-thread', step: '01c', mistake: 'awaits every cook, then every eater, so a failed eater leaves it waiting', expect: /had not settled 3 s after an eater thread ended without posting its report/ },
  { name: 'pill-eaten-as-dish', step: '01c', mistake: 'records the poison pill as a dish', expect: /a poison pill \(-1\) is not a dish/ },
  { name: 'counter-read-after-unlock', race: true, step: '01b', mistake: 'reads the change counter after unlocking, so a put or take in that gap is missed (a lost wake-up)', expect: /slept through the notify/ },
  { name: 'timeout-per-wait', step: '01b', mistake: 'waits the whole timeoutMs again after each wake-up, so a queue woken often never gives up', expect: /started its 300 ms again at each wake-up/ },
  { name: 'module-level-counts', step: '01b', mistake: 'keeps head and size in variables beside the class, so every queue (and no other thread) shares them', expect: /two BoundedQueues shared/ },
  { name: 'wait-on-zero', step: '01b', mistake: 'waits with Atomics.wait(cells, CHANGES, 0): it sleeps on a fresh queue, and spins once the counter has moved', expect: /the thread waiting in take\(\) used \d+% of a core: it is spinning/ },
];
