import { sdkPackagesLoadedBy } from '../../support/loaded-modules';

/**
 * Synthesizing the CDK app needs names from the functions (environment variables, task ids, the
 * cases index), never their SDK clients: a handler or adapter imported for a constant made every
 * `cdk synth` load DynamoDB, S3, KMS, SFN and Security Hub clients (issue 19).
 */
it('loading the CDK app (infra/build-app.ts) loads no @aws-sdk module', () => {
  expect(sdkPackagesLoadedBy('infra/build-app.ts')).toEqual([]);
}, 60_000);
