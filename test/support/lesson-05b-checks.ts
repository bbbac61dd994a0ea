/** Lesson 05, step 05b: runConsole(). Loaded by test/05-client-unblock.test.ts. */
import { PassThrough, Readable } from 'node:stream';
import { runConsole } from '#target/05-client-unblock/console.ts';
import { blockedNow, collector, connectedNow, consoleReady, deferred, pause, test, until, within } from './lesson-05.ts';
import { expect, step } from './workshop-test.ts';
import { contractChecks } from './contract/checks.ts';
import { consoleProbe } from './contract/lesson-05.ts';

step('05b', () => {
  test('runConsole() resolves only once the pool has stopped: a job in progress finishes first', async ({ redis }) => {
    const gate = deferred();
    const began = deferred();
    const finished: string[] = [];
    const input = new PassThrough();
    let settled = false;
    const run = runConsole(input, {
      output: collector().stream,
      handle: async (job) => {
        began.resolve();
        await gate.promise;
        finished.push(job);
      },
    });
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await consoleReady(redis, run);
    input.write('slow\n');
    await within(began.promise, 2000, () => 'the line "slow" did not reach handle() within 2 s');
    input.write('\n');
    await until(async () => (await blockedNow(redis)).length === 0, 2000, async () =>
      `after the empty line, ${(await blockedNow(redis)).join(', ')} still waited in BLPOP: runConsole() should stop the pool at the first ` +
      'empty line, without waiting for the input to end',
    );
    await Promise.race([run.catch(() => {}), pause(500)]);
    expect(settled, 'runConsole() resolved while a job was still being handled: await pool.stop(), which waits for it').toBe(false);
    gate.resolve();
    await within(run, 2000, () => 'runConsole() did not resolve within 2 s after the last job finished');
    expect(finished).toEqual(['slow']);
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected').toEqual([]);
  });

  test('runConsole() pushes each line as a job and stops the pool at the empty line, reading no further', async ({ redis, tap }) => {
    const output = collector();
    const run = runConsole(Readable.from(['apple\n', 'pear\n', '\n', 'plum\n']), { output: output.stream });
    await within(run, 3000, async () => {
      const blocked = await blockedNow(redis);
      return blocked.length > 0
        ? `runConsole() has not resolved 3 s after the empty line, and ${blocked.join(', ')} still wait in BLPOP: on the empty line, stop the pool`
        : 'runConsole() has not resolved 3 s after the empty line: stop reading at the first empty line, then await pool.stop()';
    });
    const pushed = tap.commands('RPUSH').flatMap((sent) => sent.args.slice(1));
    expect(pushed, '"plum" came after the empty line, but runConsole() pushed it as a job: stop reading at the first empty line').not.toContain('plum');
    expect(pushed, 'each line before the empty one should be pushed as a job (RPUSH), in order').toEqual(['apple', 'pear']);
    const done = output.lines().flatMap((line) => /^worker (\d+): (.*)$/.exec(line)?.slice(1) ?? []);
    const byJob = new Map<string, string>();
    for (let i = 0; i < done.length; i += 2) byJob.set(done[i + 1]!, done[i]!);
    expect([...byJob.keys()].sort(), `the default handle() writes "worker N: job" to output; the output was:\n${output.lines().join('\n')}`).toEqual([
      'apple',
      'pear',
    ]);
    expect(byJob.get('apple'), 'apple and pear should go to the two different workers, as Redis hands each job to the one that waited longest').not.toBe(
      byJob.get('pear'),
    );
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected: stop the pool and quit your own connection').toEqual([]);
  });

  test('a blank line (spaces or a tab only) stops it as an empty one does', async ({ tap }) => {
    const run = runConsole(Readable.from(['  two words \n', ' \t \n', 'plum\n']), { output: collector().stream, handle: () => {} });
    await within(run, 3000, async () => {
      const pushed = tap.commands('RPUSH').flatMap((sent) => sent.args.slice(1));
      return pushed.length > 1
        ? `runConsole() pushed [${pushed.map((job) => JSON.stringify(job)).join(', ')}] and did not stop at the blank line: a line of spaces or a tab is blank, trim it before you compare`
        : 'runConsole() has not resolved 3 s after a line of blanks only: the README counts a blank line as empty, trim the line before you compare';
    });
    const pushed = tap.commands('RPUSH').flatMap((sent) => sent.args.slice(1));
    expect(
      pushed.map((job) => job.trim()),
      pushed.length > 1
        ? `runConsole() pushed [${pushed.map((job) => JSON.stringify(job)).join(', ')}] and did not stop at the blank line: a line of spaces or a tab is blank, trim it before you compare`
        : `runConsole() pushed [${pushed.map((job) => JSON.stringify(job)).join(', ')}]: the first line is a job, then the blank line (spaces or a tab only) stops it`,
    ).toEqual(['two words']);
  });

  test('runConsole() takes lines as they are typed and stops at the empty line without waiting for the input to end', async ({ redis, tap }) => {
    const input = new PassThrough();
    const output = collector();
    const run = runConsole(input, { output: output.stream });
    run.catch(() => {});
    await consoleReady(redis, run);
    input.write('one\n');
    await output.waitFor(/^worker \d+: one$/, 2000);
    input.write('two\n');
    await output.waitFor(/^worker \d+: two$/, 2000);
    input.write('\n');
    await within(run, 3000, () => 'runConsole() did not resolve within 3 s of the empty line. The input is still open: do not wait for its end, stop at the empty line');
    input.write('three\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(input.listenerCount('data'), 'runConsole() still reads the input after it resolved: close the readline interface').toBe(0);
    expect(tap.commands('RPUSH').flatMap((sent) => sent.args.slice(1)), 'lines typed after the empty line are not jobs').toEqual(['one', 'two']);
    const [one, two] = ['one', 'two'].map((job) => output.lines().find((line) => line.endsWith(`: ${job}`))?.split(':')[0]);
    expect(one, 'with both workers waiting, "one" and "two" should go to different workers').not.toBe(two);
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected').toEqual([]);
  });

  test('runConsole() also stops at the end of the input, and passes workers, queue and handle on', async ({ redis, tap }) => {
    const seen: Array<[string, number]> = [];
    const run = runConsole(Readable.from(['a\n', 'b\n', 'c']), {
      workers: 3,
      queue: 'tasks',
      output: collector().stream,
      handle: (job, worker) => void seen.push([job, worker]),
    });
    await within(run, 3000, () => 'runConsole() did not resolve within 3 s after the input ended: the end of the input stops the pool too');
    expect(
      tap.commands('RPUSH').map((sent) => `${sent.args[0]} ${sent.args[1]}`),
      'each line, the last one too (it has no newline), should be pushed onto the queue given in options',
    ).toEqual(['tasks a', 'tasks b', 'tasks c']);
    expect(seen.map(([job]) => job).sort(), 'the handle() given in options should get every job').toEqual(['a', 'b', 'c']);
    expect(new Set(seen.map(([, worker]) => worker)).size, 'with 3 workers waiting, the 3 jobs should go to 3 different workers').toBe(3);
    expect(await connectedNow(redis), 'after runConsole() resolved, nothing of it should be connected').toEqual([]);
  });

  test('runConsole() stops the pool when its input fails, and rejects with that error: nothing is left connected', async ({ redis }) => {
    const input = new PassThrough();
    const output = collector();
    const run = runConsole(input, { output: output.stream });
    const settled = run.then(
      () => 'resolved' as const,
      (error: unknown) => error,
    );
    await consoleReady(redis, run);
    input.write('first\n');
    await output.waitFor(/^worker \d+: first$/, 2000);
    const failure = new Error('the keyboard was unplugged');
    input.destroy(failure);
    const result = await within(settled, 3000, async () => {
      const blocked = await blockedNow(redis);
      return (
        `runConsole() neither resolved nor rejected within 3 s after its input failed ("${failure.message}")` +
        (blocked.length > 0 ? `, and ${blocked.join(', ')} still wait in BLPOP` : '') +
        ": a reader that only listens for lines waits for ever. for await over the readline interface throws the input's error; " +
        "stop the pool in a finally block, so it is stopped however the reading ends"
      );
    });
    const carries = result === failure || (result instanceof Error && (result.cause === failure || result.message.includes(failure.message)));
    expect(
      carries,
      result === 'resolved'
        ? 'runConsole() resolved although its input failed: the caller must hear of it. Stop the pool, then let the error out'
        : `runConsole() rejected with ${String(result)}, not with the input's error ("${failure.message}"): let that error out (or wrap it as cause)`,
    ).toBe(true);
    expect(
      await connectedNow(redis),
      'after runConsole() rejected, these connections were still open: when the input fails, stop the pool and quit your connection all the same (in a finally block)',
    ).toEqual([]);
  });

  contractChecks('05b', consoleProbe);
});
