/**
 * Loaded first into every child process the lesson-06 checks start (`--import` this file): when
 * the test process that started it is gone (killed, or ended by a time limit), the child ends too,
 * so that no worker outlives its check. A child is reparented when its parent dies: ppid changes.
 */
const startedBy = process.ppid;
setInterval(() => {
  if (process.ppid !== startedBy) process.kill(process.pid, 'SIGKILL');
}, 250).unref();

export {};
