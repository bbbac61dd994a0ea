/**
 * The entry of `npm start`, `npm run verify`, `npm run watch`, `npm run doctor`, `npm run classroom` and `npm run race`:
 * `node workshop/launch.mjs <command> [args]`.
 *
 * Plain JavaScript, so that it runs before anything else: an old Node gets one message saying
 * what to install instead of a syntax error from deep inside a package. The workshop's own
 * TypeScript then loads as Node loads it, types erased, with no loader of ours in between.
 */
import runtime from './runtime/node-version.cjs';

runtime.requireSupportedNode();
// Node's compile cache, for this process and every thread and process the checks start.
const { warmStarts } = await import('./runtime/compile-cache.ts');
warmStarts();

const commands = {
  start: './runner/start.ts',
  verify: './runner/verify.ts',
  watch: './runner/watch.ts',
  doctor: './doctor/doctor.ts',
  classroom: './classroom/cli.ts',
  race: './race/race.ts',
};

const [name, ...args] = process.argv.slice(2);
const command = commands[name];
if (!command) {
  console.error(`Expected a command (${Object.keys(commands).join(', ')}), got \`${name ?? ''}\``);
  process.exit(2);
}
const { main } = await import(new URL(command, import.meta.url).href);
let code = 1;
try {
  code = await main(args);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
}
// Exit even if learner code left a timer or a socket behind: the checks have already reported.
process.exit(code);
