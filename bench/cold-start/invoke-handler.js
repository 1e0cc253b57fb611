// Runs in a fresh Node process: loads one Lambda module, invokes its handler once, prints timings.
// Plain CommonJS on purpose, so that nothing but the measured module is compiled or loaded.
'use strict';
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');

const started = performance.now(); // milliseconds since this process started
const [modulePath, eventPath] = process.argv.slice(2);

// Time spent loading the AWS SDK (external in the bundle, as in Lambda where the runtime ships it):
// outermost `require('@aws-sdk/…')` calls only, so that nested SDK modules are not counted twice.
const Module = require('node:module');
const originalLoad = Module._load;
let sdkDepth = 0;
let sdkMs = 0;
Module._load = function load(request, ...rest) {
  if (sdkDepth > 0 || !request.startsWith('@aws-sdk/')) return originalLoad.call(this, request, ...rest);
  const t = performance.now();
  sdkDepth++;
  try {
    return originalLoad.call(this, request, ...rest);
  } finally {
    sdkDepth--;
    sdkMs += performance.now() - t;
  }
};
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const mod = require(modulePath);
const loaded = performance.now();
const context = {
  functionName: 'rootkey-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rootkey-bench',
  memoryLimitInMB: '512',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/rootkey-bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000,
  done() {},
  fail() {},
  succeed() {},
};

function finish(outcome, detail) {
  const handled = performance.now();
  process.stdout.write(
    `\nBENCH_RESULT ${JSON.stringify({ boot: started, load: loaded - started, invoke: handled - loaded, sdk: sdkMs, outcome, detail })}\n`,
    () => process.exit(0),
  );
}

// What the handler returned, briefly: an HTTP status, or its scalar fields (a task's status, outcome, …),
// so that "returned" says which result came back, not only that nothing threw.
function describe(result) {
  if (!result || typeof result !== 'object') return 'ok';
  if ('statusCode' in result) return `status ${result.statusCode}`;
  const fields = Object.entries(result)
    .filter(([key, value]) => key !== 'caseId' && ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key}=${String(value).slice(0, 40)}`);
  return fields.length > 0 ? `ok (${fields.join(', ')})` : 'ok';
}

Promise.resolve()
  .then(() => mod.handler(event, context))
  .then(
    (result) => finish('returned', describe(result)),
    (error) =>
      finish(
        'threw',
        `${(error && error.name) || 'Error'}: ${String((error && error.message) || error).slice(0, 200)}`,
      ),
  );
