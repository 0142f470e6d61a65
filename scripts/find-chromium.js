// Where the browser tests find Chromium: CHROMIUM_PATH, then the usual Linux paths.
// Shared by test/helpers/browser.ts (the *.browser.test.ts files) and scripts/test.js (which reports the skip).
'use strict';
const fs = require('node:fs');

const USUAL_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const INSTALL_HINT = 'apt-get install chromium (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary';

/** The Chromium executable to use, or null. A CHROMIUM_PATH that does not exist is an error. */
function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) {
    if (!fs.existsSync(env.CHROMIUM_PATH)) {
      throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist; unset it or point it at a Chromium binary.`);
    }
    return env.CHROMIUM_PATH;
  }
  return USUAL_PATHS.find((file) => fs.existsSync(file)) ?? null;
}

module.exports = { findChromium, USUAL_PATHS, INSTALL_HINT };
