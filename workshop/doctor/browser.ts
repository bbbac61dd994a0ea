/**
 * A local Chromium for the browser checks (the slides' tests, the runner's `doctor`).
 * Nothing here downloads a browser: it finds one that the system already has.
 *
 * @example
 * import { chromium } from 'playwright-core';
 * const executablePath = findChromium();
 * if (!executablePath) throw new Error(CHROMIUM_MISSING);
 * const context = await chromium.launchPersistentContext(freshTempDir, { executablePath, args: CHROMIUM_ARGS });
 */
import { accessSync, constants } from 'node:fs';

/** The environment variable that names a Chromium to use instead of the usual places. */
export const CHROMIUM_VARIABLE = 'WORKSHOP_CHROMIUM';

/** Where Debian, Ubuntu and Google put their browsers, in the order they are tried. */
export const CHROMIUM_PATHS: readonly string[] = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Headless, no sandbox (containers and CI run as root), and quiet: no updates, no sync, no
 * background requests, so a page's only traffic is its own. Playwright adds the user data
 * directory itself (`launchPersistentContext(dir, …)`): give it a fresh temporary one.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What to tell a person when no Chromium is found. */
export const CHROMIUM_MISSING =
  'No Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install -y --no-install-recommends chromium`) ' +
  `or set ${CHROMIUM_VARIABLE} to the path of a Chromium or Chrome executable.`;

/**
 * The path of a Chromium to run: `WORKSHOP_CHROMIUM` if set (and executable), then the usual
 * system paths; `undefined` when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env[CHROMIUM_VARIABLE], ...CHROMIUM_PATHS].filter((path): path is string => Boolean(path));
  return candidates.find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
