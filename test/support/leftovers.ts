/**
 * What a check asks Node, not a promise, after something said it was done (close(), stop(), done):
 * the timers still pending and the TCP sockets still open in this thread that were not there
 * before the code under test started. They are what learner code leaves behind: an interval never
 * cleared, a connection never closed. A timer made with `unref()` keeps nothing alive and is not
 * counted, as process.getActiveResourcesInfo() does not count it.
 *
 * Sockets are counted with process.getActiveResourcesInfo() ('TCPSocketWrap', 'TCPWrap'), against the
 * count taken at `watchResources()`: the harness's own connections are open by then and stay open.
 * Timers cannot be counted that way: one left by an earlier check may fire during this one and hide a
 * new one. So the timers created from `watchResources()` on are followed by an async hook, and the
 * ones still pending at the end are counted. The harness's own in that window pass (its pauses are
 * awaited; vitest sends its reports on a throttle of at most 100 ms): `left()` waits, for at most
 * `ms`, until nothing is left, so only what stays is counted.
 */
import { createHook } from 'node:async_hooks';
import { onTestFinished } from 'vitest';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Resources {
  /** Pending timers (setTimeout, setInterval) that keep the process alive. */
  timers: number;
  /** Open TCP sockets: Redis connections, HTTP clients. */
  sockets: number;
}

export interface Watch {
  /** Waits (at most `ms`, 1000 by default) until no timer created since and no new socket is left; returns what is. */
  left(ms?: number): Promise<Resources>;
}

function sockets(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap' || type === 'TCPWrap').length;
}

/** Starts watching: call it once the check's own connections are open, before the code under test starts. */
export function watchResources(): Watch {
  const timers = new Map<number, NodeJS.Timeout>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type === 'Timeout') timers.set(id, resource as NodeJS.Timeout);
    },
    destroy(id) {
      timers.delete(id);
    },
  }).enable();
  onTestFinished(() => void hook.disable());
  const before = sockets();
  const now = (): Resources => ({
    // hasRef(): an unref'd timer keeps nothing alive; a cleared or fired one is destroyed (and gone) a moment later.
    timers: [...timers.values()].filter((timer) => timer.hasRef() && !(timer as { _destroyed?: boolean })._destroyed).length,
    sockets: Math.max(0, sockets() - before),
  });
  return {
    async left(ms = 1000) {
      const deadline = Date.now() + ms;
      try {
        for (;;) {
          const left = now();
          if ((left.timers === 0 && left.sockets === 0) || Date.now() > deadline) return left;
          await pause(10);
        }
      } finally {
        hook.disable();
      }
    },
  };
}

/** "2 timers and 1 TCP socket", for a message. */
export function describeLeft(left: Resources): string {
  const parts = [];
  if (left.timers > 0) parts.push(`${left.timers} timer${left.timers === 1 ? '' : 's'} (setTimeout or setInterval) still pending`);
  if (left.sockets > 0) parts.push(`${left.sockets} TCP socket${left.sockets === 1 ? '' : 's'} still open`);
  return parts.join(' and ') || 'nothing';
}
