/**
 * `npm run slides`: builds every deck to slides/dist/ and serves them on 127.0.0.1 until Ctrl-C.
 *
 *   npm run slides                   build, then serve on a free port
 *   npm run slides -- --port 8080    build, then serve on port 8080
 *   npm run slides -- --no-serve     only build
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSlides } from './build.ts';
import { serveDirectory } from './serve.ts';

function options(): { serve: boolean; port: number } {
  const { values } = parseArgs({
    options: { 'no-serve': { type: 'boolean', default: false }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log('npm run slides [-- --port N] [-- --no-serve]: build the decks to slides/dist/ and serve them');
    process.exit(0);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`Expected --port to be a port number from 0 to 65535, got \`${values.port}\``);
  }
  return { serve: !values['no-serve'], port };
}

async function main(): Promise<void> {
  const { serve, port } = options();
  const result = await buildSlides();
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  const slides = result.decks.reduce((sum, deck) => sum + deck.slides, 0);
  console.log(
    `Built ${result.decks.length} decks (${slides} slides) in ${Math.round(result.ms)} ms to ${relative(process.cwd(), result.outDir) || '.'}/`,
  );
  if (!serve) return;

  const server = await serveDirectory(result.outDir, { port });
  console.log(`\nSlides: ${server.url}`);
  for (const deck of result.decks) console.log(`  ${server.url}${deck.name}.html`);
  console.log('\nPress S in a deck for the speaker view. Ctrl-C stops the server.');
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
