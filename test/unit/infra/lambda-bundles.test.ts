import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_IDS, type TaskId } from '../../../functions/handlers/task-ids';
import {
  functionSdkPackagesOf,
  PREVENTION_FUNCTION_PORTS,
  sdkPackagesOf,
  TASK_PORTS,
  type PreventionFunction,
} from '../../../functions/handlers/task-ports';
import { SLACK_BUNDLE_ALIASES } from '../../../infra/constructs/slack-bundling';
import { bundleLambda, REPO_ROOT, type LambdaBundle } from '../../support/lambda-bundles';

/**
 * What each Lambda function ships, bundled with infra's esbuild options (issue #18). Sizes and
 * package lists, no timings: a dependency that sneaks back into a bundle fails CI here. The limits
 * are the goals; BENCHMARKS.md reports the measured sizes.
 */
const TASK_LIMIT_BYTES = 250_000;
const SLACK_LIMIT_BYTES = 400_000;
/** The SDK clients of the Slack function: cases, evidence (S3, KMS), Step Functions, its secret, invoking itself. */
const SLACK_SDK_PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-kms',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sfn',
  '@aws-sdk/lib-dynamodb',
];

// Inside the repository, so that a bundle run in a child process resolves @aws-sdk/* from node_modules.
const cacheDir = join(REPO_ROOT, 'node_modules', '.cache');
mkdirSync(cacheDir, { recursive: true });
const outRoot = mkdtempSync(join(cacheDir, 'rootkey-bundles-'));
const bundles = new Map<string, LambdaBundle>();
const PREVENTION_FUNCTIONS = Object.keys(PREVENTION_FUNCTION_PORTS) as PreventionFunction[];

beforeAll(async () => {
  for (const task of TASK_IDS)
    bundles.set(task, await bundleLambda(`functions/handlers/${task}.ts`, join(outRoot, task)));
  for (const name of PREVENTION_FUNCTIONS)
    bundles.set(name, await bundleLambda(`functions/handlers/${name}.ts`, join(outRoot, name)));
  bundles.set(
    'slack-app',
    await bundleLambda('slack-app/lambda-handler.ts', join(outRoot, 'slack-app'), SLACK_BUNDLE_ALIASES),
  );
}, 120_000);

afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe.each(TASK_IDS.map((task) => [task] as [TaskId]))('the %s function bundle', (task) => {
  it(`is under ${TASK_LIMIT_BYTES / 1000} kB`, () => {
    expect(bundles.get(task)!.bytes).toBeLessThan(TASK_LIMIT_BYTES);
  });

  it('requires exactly the SDK clients of its ports from the runtime', () => {
    expect(bundles.get(task)!.externals).toEqual(sdkPackagesOf(task));
  });

  it("carries neither classic zod's locales, the X-Ray SDK nor a Slack client it never uses", () => {
    const { packages, outfile } = bundles.get(task)!;
    expect(packages.has('aws-xray-sdk-core')).toBe(false);
    expect(packages.has('@aws-lambda-powertools/tracer')).toBe(false);
    expect(packages.has('@slack/web-api')).toBe((TASK_PORTS[task] as readonly string[]).includes('notifier'));
    expect(outfile).toBeTruthy();
  });
});

describe.each(PREVENTION_FUNCTIONS.map((name) => [name]))(
  "the Prevention state machine's %s function bundle",
  (name) => {
    it(`is under ${TASK_LIMIT_BYTES / 1000} kB`, () => {
      expect(bundles.get(name)!.bytes).toBeLessThan(TASK_LIMIT_BYTES);
    });

    it('requires exactly the SDK clients of its ports from the runtime', () => {
      expect(bundles.get(name)!.externals).toEqual(functionSdkPackagesOf(name));
    });
  },
);

describe('the Slack function bundle', () => {
  it(`is under ${SLACK_LIMIT_BYTES / 1000} kB`, () => {
    expect(bundles.get('slack-app')!.bytes).toBeLessThan(SLACK_LIMIT_BYTES);
  });

  it('carries AwsLambdaReceiver only: no Socket Mode (undici), no express or raw-body (iconv-lite)', () => {
    const { packages } = bundles.get('slack-app')!;
    for (const name of ['undici', 'iconv-lite', 'express', 'raw-body', '@slack/socket-mode', '@slack/oauth']) {
      expect([name, packages.has(name)]).toEqual([name, false]);
    }
    expect(packages.has('@slack/bolt')).toBe(true);
  });

  it('requires only the SDK clients the Slack app calls', () => {
    expect(bundles.get('slack-app')!.externals).toEqual(SLACK_SDK_PACKAGES);
  });
});

describe('validation messages of a bundle (zod/mini with the English locale)', () => {
  it('names what is wrong in English, not "Invalid input" alone', () => {
    // A fresh node process: in this one classic zod is loaded and would configure English for everyone.
    const script = `
      const { handler } = require(${JSON.stringify(bundles.get('detect-root-keys')!.outfile)});
      handler({ trigger: { source: 'manual', accountId: '123456789012' } }, { awsRequestId: 'r' })
        .then(() => console.log('no error'), (e) => console.log(e.name + ': ' + e.message));`;
    const out = execFileSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', CASES_TABLE_NAME: 'cases', POWERTOOLS_DEV: 'false' },
      encoding: 'utf8',
    });
    // (The error's name is the class name once infra keeps names: #12's keepNames.)
    expect(out).toContain(': Invalid input for detect-root-keys:');
    expect(out).toContain('trigger.detectedAt: Invalid input: expected string, received undefined');
  });
});
