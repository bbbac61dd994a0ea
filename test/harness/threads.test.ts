import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { endThreads, liveThreads, threadsStarted } from '../support/threads.ts';

describe('thread tracking', () => {
  it('sees a worker that test code starts with the ordinary Worker class, until it exits', async () => {
    const before = threadsStarted();
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
    expect(threadsStarted()).toBe(before + 1);
    expect(liveThreads().map((thread) => thread.file)).toContain('(inline code)');
    const ended = await endThreads();
    expect(ended.map((thread) => thread.worker)).toContain(worker);
    expect(liveThreads()).toEqual([]);
  });
});
