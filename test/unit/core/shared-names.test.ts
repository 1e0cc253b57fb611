import { sdkPackagesLoadedBy } from '../../support/loaded-modules';

/**
 * `infra/` learns environment variable names, the read role and the table index from
 * functions/core/shared-names.ts. Importing a handler or an adapter for them instead made every
 * `cdk synth` load the SDK clients (issue 19): this keeps the shared names free of them.
 */
describe('functions/core/shared-names', () => {
  it('loads no @aws-sdk module', () => {
    expect(sdkPackagesLoadedBy('functions/core/shared-names.ts')).toEqual([]);
  });

  it('is told apart from a module that does load the SDK (the check can fail)', () => {
    // Prepare / Act: the DynamoDB case store is the adapter infra used to import for its index name.
    const loaded = sdkPackagesLoadedBy('functions/adapters/aws/dynamo-case-store.ts');
    // Assess
    expect(loaded).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']));
  });
});
