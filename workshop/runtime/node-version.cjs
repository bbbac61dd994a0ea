// Which Node the workshop runs on, checked before anything else loads: `npm install` runs this file
// (preinstall) and every runner command calls it first, so that an old Node gets one short message
// instead of a syntax error from deep inside a package.
//
// Plain CommonJS written for old engines on purpose: no optional chaining, no `??`, no imports, so
// that it parses on any Node a learner might still have and can say what to do.
'use strict';

// Kept in step with "engines" in package.json: ^22.22.0 || ^24.0.0 || >=26.0.0.
var SUPPORTED = [
  { major: 22, minor: 22 },
  { major: 24, minor: 0 },
  { major: 26, minor: 0, orNewer: true },
];
var NEEDED = '26 LTS (24, and 22.22 or newer on 22, also work)';

function parse(version) {
  var parts = String(version).replace(/^v/, '').split('.');
  return { major: Number(parts[0]) || 0, minor: Number(parts[1]) || 0 };
}

/** True when `version` ("24.11.1" or "v24.11.1") is one the workshop runs on. */
function supported(version) {
  var found = parse(version);
  for (var i = 0; i < SUPPORTED.length; i++) {
    var range = SUPPORTED[i];
    if (range.orNewer ? found.major >= range.major : found.major === range.major && found.minor >= range.minor) return true;
  }
  return false;
}

/** The message for a Node the workshop cannot run on, or undefined for one it can. */
function problem(version) {
  if (supported(version)) return undefined;
  return [
    'This workshop needs Node.js ' + NEEDED + '; this is Node.js ' + String(version).replace(/^v/, '') + '.',
    'Get Node 26 with any of these, then run the same command again:',
    '  nvm install 26 && nvm use 26          (https://github.com/nvm-sh/nvm)',
    '  fnm install 26 && fnm use 26          (https://github.com/Schniz/fnm)',
    '  volta install node@26                 (https://volta.sh)',
    '  the installer from https://nodejs.org/en/download',
  ].join('\n');
}

/** Prints the message and ends the process when this Node is too old (or an odd, unsupported one). */
function requireSupportedNode() {
  var message = problem(process.versions.node);
  if (message === undefined) return;
  console.error(message);
  process.exit(1);
}

module.exports = { supported: supported, problem: problem, requireSupportedNode: requireSupportedNode };

if (require.main === module) requireSupportedNode();
