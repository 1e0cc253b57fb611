#!/usr/bin/env node
'use strict';
// The CLI is TypeScript run through tsx's require hook, so `npm ci` needs no build step and
// `npx rootkey` works from a clean clone.
require('tsx/cjs/api').register();
const { main } = require('../cli/main.ts');

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`rootkey: unexpected error: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
