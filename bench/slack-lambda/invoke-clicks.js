// Runs in a fresh Node process, as one Lambda execution environment: loads the bundled Slack
// function, then invokes its handler with each event of the file in turn (one at a time, as Lambda
// sends one request per environment), then with each asynchronous invocation the function queued
// for itself, and prints the time each invocation took and how it ended.
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

/** Calls the handler once and says how it ended. */
async function invoke(event, i) {
  const t = performance.now();
  const startedAt = Date.now(); // wall clock, to place the AWS stub's calls within this invocation
  try {
    const result = await mod.handler(event, context(i));
    return { ms: performance.now() - t, startedAt, endedAt: Date.now(), status: result && result.statusCode };
  } catch (error) {
    return {
      ms: performance.now() - t,
      startedAt,
      endedAt: Date.now(),
      threw: `${(error && error.name) || 'Error'}: ${String((error && error.message) || error).slice(0, 200)}`,
    };
  }
}

/** The asynchronous invocations the function queued (the AWS stub keeps them for the harness). */
async function queuedInvocations() {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL}/__stub/lambda-invocations`);
  return response.json();
}

async function main() {
  const invocations = [];
  let requestIds = 0;
  for (const event of events) {
    const answered = await invoke(event, requestIds++);
    // Then what Lambda does with the events the function queued for itself (ack first: the click's
    // work): each invoked in this same environment once the request is answered, as a warm
    // environment takes the next event.
    answered.deferred = [];
    for (const queued of await queuedInvocations()) {
      answered.deferred.push(await invoke(queued.payload, requestIds++));
    }
    invocations.push(answered);
  }
  process.stdout.write(
    `\nBENCH_RESULT ${JSON.stringify({ boot: started, load: loaded - before, invocations })}\n`,
    () => process.exit(0),
  );
}

main();
