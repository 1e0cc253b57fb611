import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRootCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { AwsRootKeyRemover } from '../../../../functions/adapters/aws/root-key-remover';
import {
  AccessDeniedError,
  KeysChangedError,
  RootAccessUnavailableError,
  TransientAwsError,
} from '../../../../functions/core/errors';
import { removalDetailOf } from '../../../../functions/ports/root-key-remover';

const ACCOUNT = '333333333333';
const KEY_A = 'AKIAPAYMENTSROOT0042';
const KEY_B = 'AKIAPAYMENTSROOT0043';
const MASKED_A = 'AKIA************0042';
const MASKED_B = 'AKIA************0043';
const DELETE_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);

function awsError(name: string, message: string, requestId: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId },
  });
}

function remover(region = 'us-east-1'): AwsRootKeyRemover {
  return new AwsRootKeyRemover({
    sts: new STSClient({ region }),
    now: () => new Date('2026-11-28T10:00:00Z'),
  });
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  sts.on(GetCallerIdentityCommand).resolves({
    Account: '222222222222',
    Arn: 'arn:aws:sts::222222222222:assumed-role/rootkey-remediate/lambda',
    $metadata: { requestId: 'req-caller' },
  });
  sts.on(AssumeRootCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIASESSION',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2026-11-28T10:15:00Z'),
    },
    $metadata: { requestId: 'req-assume' },
  });
});

describe('AwsRootKeyRemover', () => {
  it('deletes the approved root key through AssumeRoot with the delete task policy, without UserName', async () => {
    // Prepare
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ AccessKeyId: KEY_A, Status: 'Active' }],
      IsTruncated: false,
      $metadata: { requestId: 'req-list' },
    });
    iam.on(DeleteAccessKeyCommand).resolves({ $metadata: { requestId: 'req-delete' } });

    // Act
    const result = await remover().deleteRootKeys(ACCOUNT, [MASKED_A]);

    // Assess
    expect(sts).toHaveReceivedCommandWith(AssumeRootCommand, {
      TargetPrincipal: ACCOUNT,
      TaskPolicyArn: { arn: DELETE_POLICY },
      DurationSeconds: 900,
    });
    expect(iam.commandCalls(ListAccessKeysCommand)[0]?.args[0].input).toEqual({});
    expect(iam.commandCalls(DeleteAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: KEY_A }]);
    expect(iam).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: KEY_A });
    expect(result.deletedKeys).toEqual([MASKED_A]);
    expect(result.actions.map((a) => [a.api, a.outcome, a.requestId, a.keyId])).toEqual([
      ['sts:AssumeRoot', 'success', 'req-assume', undefined],
      ['iam:ListAccessKeys', 'success', 'req-list', undefined],
      ['iam:DeleteAccessKey', 'success', 'req-delete', MASKED_A],
    ]);
    expect(JSON.stringify(result)).not.toContain(KEY_A);
  });

  it('builds the task policy ARN in the partition of the caller', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '222222222222',
      Arn: 'arn:aws-us-gov:sts::222222222222:assumed-role/rootkey/x',
    });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    await remover('us-gov-west-1').deleteRootKeys(ACCOUNT, [MASKED_A]);

    expect(sts).toHaveReceivedCommandWith(AssumeRootCommand, {
      TaskPolicyArn: { arn: 'arn:aws-us-gov:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
    });
  });

  it('turns a refused AssumeRoot into AccessDeniedError naming sts:AssumeRoot, with the failed call recorded', async () => {
    sts
      .on(AssumeRootCommand)
      .rejects(awsError('AccessDenied', 'not authorized to perform: sts:AssumeRoot', 'req-denied', 403));

    const error = await remover()
      .deleteRootKeys(ACCOUNT, [MASKED_A])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).permission).toBe('sts:AssumeRoot');
    expect((error as AccessDeniedError).message).toContain(`account ${ACCOUNT}`);
    expect(removalDetailOf(error)?.actions).toEqual([
      expect.objectContaining({ api: 'sts:AssumeRoot', outcome: 'failure', requestId: 'req-denied' }),
    ]);
    expect(iam).not.toHaveReceivedCommand(ListAccessKeysCommand);
  });

  it('deletes nothing when a key appeared after the approval', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ AccessKeyId: KEY_A }, { AccessKeyId: KEY_B }],
    });

    const error = await remover()
      .deleteRootKeys(ACCOUNT, [MASKED_A])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeysChangedError);
    expect((error as KeysChangedError).currentKeyIds).toEqual([MASKED_A, MASKED_B]);
    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
    expect(removalDetailOf(error)?.deletedKeys).toEqual([]);
  });

  it('records a delete that fails half-way and rethrows it as a transient error', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ AccessKeyId: KEY_A }, { AccessKeyId: KEY_B }],
      $metadata: { requestId: 'req-list' },
    });
    iam
      .on(DeleteAccessKeyCommand, { AccessKeyId: KEY_A })
      .resolves({ $metadata: { requestId: 'req-del-a' } })
      .on(DeleteAccessKeyCommand, { AccessKeyId: KEY_B })
      .rejects(awsError('Throttling', 'Rate exceeded', 'req-del-b'));

    const error = await remover()
      .deleteRootKeys(ACCOUNT, [MASKED_A, MASKED_B])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAwsError);
    const detail = removalDetailOf(error);
    expect(detail?.deletedKeys).toEqual([MASKED_A]);
    expect(detail?.actions.map((a) => [a.api, a.outcome, a.keyId ?? null])).toEqual([
      ['sts:AssumeRoot', 'success', null],
      ['iam:ListAccessKeys', 'success', null],
      ['iam:DeleteAccessKey', 'success', MASKED_A],
      ['iam:DeleteAccessKey', 'failure', MASKED_B],
    ]);
    expect(detail?.actions[3]).toMatchObject({
      requestId: 'req-del-b',
      error: expect.stringContaining('Rate exceeded'),
    });
  });

  it('finishes a retried deletion whose first approved key is already gone', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_B }] });
    iam.on(DeleteAccessKeyCommand).resolves({});

    const result = await remover().deleteRootKeys(ACCOUNT, [MASKED_A, MASKED_B]);

    expect(result.deletedKeys).toEqual([MASKED_B]);
    expect(iam).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 1);
  });

  it('follows ListAccessKeys pagination', async () => {
    iam
      .on(ListAccessKeysCommand, {})
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_A }], IsTruncated: true, Marker: 'm1' })
      .on(ListAccessKeysCommand, { Marker: 'm1' })
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_B }], IsTruncated: false });
    iam.on(DeleteAccessKeyCommand).resolves({});

    const result = await remover().deleteRootKeys(ACCOUNT, [MASKED_A, MASKED_B]);

    expect(result.deletedKeys).toEqual([MASKED_A, MASKED_B]);
  });

  it('refuses the global STS endpoint before calling anything', async () => {
    const error = await remover('aws-global')
      .deleteRootKeys(ACCOUNT, [MASKED_A])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RootAccessUnavailableError);
    expect(sts).not.toHaveReceivedCommand(AssumeRootCommand);
  });
});
