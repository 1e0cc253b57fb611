import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-jest';
import { S3SweepListStore } from '../../../../functions/adapters/aws/s3-sweep-list-store';
import { MemorySweepListStore } from '../../../../functions/adapters/local/memory-sweep-list-store';
import { AccessDeniedError, InvalidInputError, TransientAwsError } from '../../../../functions/core/errors';
import { s3BucketDouble } from '../../../support/evidence/s3-bucket-double';

const BUCKET = 'rootkey-sweep-lists';
const ITEMS = [
  { source: 'sweep', accountId: '111111111111', account: { name: 'management', isManagement: true } },
  { source: 'sweep', accountId: '222222222222', account: { name: 'wörkload', isManagement: false } },
];

describe('S3SweepListStore', () => {
  it('writes the items as one JSON array under sweeps/, created once, and reads them back', async () => {
    // Prepare
    const { s3, objects, client } = s3BucketDouble();
    const store = new S3SweepListStore({ client, bucket: BUCKET });

    // Act
    const location = await store.put('2026-12-01T06-00-00-000Z-abc', ITEMS);
    const read = await store.get(location);

    // Assess
    expect(location).toEqual({ bucket: BUCKET, key: 'sweeps/2026-12-01T06-00-00-000Z-abc.json' });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: location.key,
      ContentType: 'application/json',
      IfNoneMatch: '*',
    });
    expect(JSON.parse(objects.get(location.key)!)).toEqual(ITEMS);
    expect(read).toEqual(ITEMS);
  });

  it('refuses a name that is not a plain key segment, writing nothing', async () => {
    // Prepare
    const { s3, client } = s3BucketDouble();
    const store = new S3SweepListStore({ client, bucket: BUCKET });

    // Act + Assess
    await expect(store.put('../evidence/x', ITEMS)).rejects.toThrow(RangeError);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('maps throttling to TransientAwsError (retried) and a refusal to AccessDeniedError naming the action', async () => {
    // Prepare
    const { s3, client } = s3BucketDouble();
    const store = new S3SweepListStore({ client, bucket: BUCKET });
    const failing = (name: string, status: number) =>
      new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
    s3.on(PutObjectCommand).rejectsOnce(failing('SlowDown', 503)).rejectsOnce(failing('AccessDenied', 403));

    // Act + Assess
    await expect(store.put('a', ITEMS)).rejects.toBeInstanceOf(TransientAwsError);
    const denied = await store.put('b', ITEMS).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect((denied as Error).message).toContain('s3:PutObject');
  });

  it('refuses a stored object that is not a JSON array', async () => {
    // Prepare
    const { objects, client } = s3BucketDouble();
    const store = new S3SweepListStore({ client, bucket: BUCKET });
    objects.set('sweeps/object.json', '{"items":[]}');
    objects.set('sweeps/broken.json', '[{"accountId":');

    // Act + Assess
    await expect(store.get({ bucket: BUCKET, key: 'sweeps/object.json' })).rejects.toThrow(InvalidInputError);
    await expect(store.get({ bucket: BUCKET, key: 'sweeps/broken.json' })).rejects.toThrow(/not JSON/);
  });
});

describe('MemorySweepListStore', () => {
  it('keeps each list as JSON, once per name, and reads it back only from its own bucket', async () => {
    // Prepare
    const store = new MemorySweepListStore();

    // Act
    const location = await store.put('one', ITEMS);

    // Assess
    expect(location.key).toBe('sweeps/one.json');
    expect(await store.get(location)).toEqual(ITEMS);
    await expect(store.put('one', [])).rejects.toThrow(InvalidInputError);
    await expect(store.get({ bucket: 'another', key: location.key })).rejects.toThrow(/No sweep list/);
    store.delete(location);
    await expect(store.get(location)).rejects.toThrow(/No sweep list/);
  });
});
