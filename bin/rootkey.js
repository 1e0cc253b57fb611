#!/usr/bin/env node
'use strict';
// The CLI is TypeScript run through tsx's require hook, so `npm ci` needs no build step and
// `npx rootkey` works from a clean clone.
// The SDK warns on every call that Node 20 is past its support window; the CLI supports Node 20
// on purpose (the Lambda runtime is Node.js 24, see infra/constructs/task-functions.ts), so that warning is noise for a CLI user.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
