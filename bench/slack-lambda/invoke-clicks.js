// Runs in a fresh Node process, as one Lambda execution environment: loads the bundled Slack
// function, then invokes its handler with each event of the file in turn (one at a time, as Lambda
// sends one request per environment), and prints the time each invocation took and its status.
// Plain CommonJS on purpose, so that nothing but the measured module is compiled or loaded.
'use strict';
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');

const started = performance.now(); // milliseconds since this process started (Node's own boot)
const [modulePath, eventsPath] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsPath, 'utf8'));
const before = performance.now();
const mod = require(modulePath);
const loaded = performance.now();

function context(i) {
  return {
    functionName: 'rootkey-slack',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rootkey-slack',
    memoryLimitInMB: '512',
    awsRequestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    logGroupName: '/aws/lambda/rootkey-slack',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10000,
    done() {},
    fail() {},
    succeed() {},
  };
}

async function main() {
  const invocations = [];
  for (const [i, event] of events.entries()) {
    const t = performance.now();
    const startedAt = Date.now(); // wall clock, to place the AWS stub's calls within this invocation
    try {
      const result = await mod.handler(event, context(i));
      invocations.push({
        ms: performance.now() - t,
        startedAt,
        endedAt: Date.now(),
        status: result && result.statusCode,
      });
    } catch (error) {
      invocations.push({
        ms: performance.now() - t,
        startedAt,
        endedAt: Date.now(),
        threw: `${(error && error.name) || 'Error'}: ${String((error && error.message) || error).slice(0, 200)}`,
      });
    }
  }
  process.stdout.write(
    `\nBENCH_RESULT ${JSON.stringify({ boot: started, load: loaded - before, invocations })}\n`,
    () => process.exit(0),
  );
}

main();
