import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from '../../../infra/constructs/acknowledge';
import { applyNagPacks } from '../../../infra/nag-packs';

function appWithBucket(configure: (bucket: s3.Bucket) => void = () => {}): App {
  const app = new App();
  const stack = new Stack(app, 'Probe');
  const bucket = new s3.Bucket(stack, 'Plain');
  configure(bucket);
  applyNagPacks(app);
  return app;
}

describe('the cdk-nag packs', () => {
  it('fail synthesis on an unacknowledged finding and name the construct and the rule', () => {
    const app = appWithBucket();

    expect(() => app.synth()).toThrow(/AwsSolutions-S1[\s\S]*Probe\/Plain\/Resource/);
  });

  it('run all three packs: AwsSolutions, PCI DSS 3.2.1 and Serverless', () => {
    const app = appWithBucket();

    expect(() => app.synth()).toThrow(/PCI\.DSS\.321-S3/);
  });

  it('accept an acknowledgement that names the construct and gives a full-sentence reason', () => {
    const app = new App();
    const stack = new Stack(app, 'Acked');
    const bucket = new s3.Bucket(stack, 'Plain', { enforceSSL: true, versioned: true });
    const reason = 'This probe bucket exists only in this test and holds nothing.';
    for (const id of [
      'AwsSolutions-S1',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3BucketPublicReadProhibited',
      'PCI.DSS.321-S3BucketPublicWriteProhibited',
      'PCI.DSS.321-S3BucketLevelPublicAccessProhibited',
    ]) {
      acknowledge(bucket, id, reason);
    }
    applyNagPacks(app);

    expect(() => app.synth()).not.toThrow();
  });

  it('refuses an acknowledgement without a full-sentence reason', () => {
    const bucket = new s3.Bucket(new Stack(new App(), 'Lazy'), 'Plain');

    expect(() => acknowledge(bucket, 'AwsSolutions-S1', 'not needed')).toThrow(/needs a full-sentence reason/);
  });
});
