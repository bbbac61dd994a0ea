/**
 * The entry of `npm start`, `npm run verify`, `npm run watch` and `npm run doctor`:
 * `node workshop/launch.mjs <command> [args]`.
 *
 * Plain JavaScript on purpose. Loading vitest through tsx's loader costs about 0.6 s more than
 * loading it natively, and every verify pays it, so vitest is loaded first and tsx registered only
 * afterwards, for the workshop's own TypeScript modules.
 */
import { register } from 'tsx/esm/api';

const commands = {
  start: { module: './runner/start.ts', vitest: true },
  verify: { module: './runner/verify.ts', vitest: true },
  watch: { module: './runner/watch.ts', vitest: true },
  doctor: { module: './doctor/doctor.ts', vitest: false },
};

const [name, ...args] = process.argv.slice(2);
const command = commands[name];
if (!command) {
  console.error(`Expected a command (${Object.keys(commands).join(', ')}), got \`${name ?? ''}\``);
  process.exit(2);
}
if (command.vitest) await import('vitest/node');
register();
const { main } = await import(new URL(command.module, import.meta.url).href);
let code = 1;
try {
  code = await main(args);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
}
// Exit even if learner code left a timer or a socket behind: the checks have already reported.
process.exit(code);
