import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRootCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { AwsRootKeyRemover } from '../../../functions/adapters/aws/root-key-remover';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { decidePosture } from '../../../functions/core/account-posture';
import { openCase, transition, type Case } from '../../../functions/core/case';
import { AccessDeniedError, TransientAwsError } from '../../../functions/core/errors';
import type { Deps } from '../../../functions/services/dependencies';
import { deleteApprovedKeys } from '../../../functions/services/remove-keys';
import { RecordingEvidenceRecorder } from '../../support/removal/removal-doubles';

const ACCOUNT = { id: '333333333333', name: 'payments-prod', isManagement: false };
const KEYS = ['AKIAPAYMENTSROOT0042', 'AKIAPAYMENTSROOT0043'];
const MASKED = ['AKIA************0042', 'AKIA************0043'];
const now = new Date('2026-11-28T10:00:00Z');

type RemovalDeps = Pick<Deps, 'cases' | 'evidence' | 'remover' | 'clock'>;

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);

/** A case whose deletion of both keys was approved, over the AWS remover with mocked clients. */
async function approvedDeletion(): Promise<{ deps: RemovalDeps; evidence: RecordingEvidenceRecorder; c: Case }> {
  const posture = decidePosture(
    ACCOUNT,
    {
      accountId: ACCOUNT.id,
      method: 'assume-root-audit',
      signals: {
        accountAccessKeysPresent: 2,
        listedKeys: KEYS.map((id, i) => ({ id, maskedId: MASKED[i] ?? '', status: 'Active' as const })),
      },
      readAt: now.toISOString(),
    },
    { rootCredentialsManagement: true, rootSessions: true },
  );
  const opened = openCase({
    posture,
    trigger: { source: 'manual', accountId: ACCOUNT.id, detectedAt: now.toISOString() },
    requiredApprovals: 1,
    now,
  });
  const deleting: Case = {
    ...transition(transition(opened, 'awaiting-approval', now), 'deleting', now),
    decision: {
      action: 'delete',
      approvers: [{ userId: 'U1', userName: 'alice', action: 'delete', at: now.toISOString() }],
      decidedAt: now.toISOString(),
      approvedKeys: MASKED,
    },
  };
  const cases = new MemoryCaseStore();
  const c = await cases.create(deleting);
  const evidence = new RecordingEvidenceRecorder();
  const deps: RemovalDeps = {
    remover: new AwsRootKeyRemover({ sts: new STSClient({ region: 'us-east-1' }), now: () => now }),
    cases,
    evidence,
    clock: { now: () => now },
  };
  return { deps, evidence, c };
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/rootkey/x' });
  sts.on(AssumeRootCommand).resolves({
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: now },
    $metadata: { requestId: 'req-assume' },
  });
  iam.on(ListAccessKeysCommand).resolves({
    AccessKeyMetadata: KEYS.map((AccessKeyId) => ({ AccessKeyId })),
    $metadata: { requestId: 'req-list' },
  });
});

describe('deleteApprovedKeys over the AWS remover', () => {
  it('records every call of a deletion that fails half-way, the failed one included, and rethrows', async () => {
    // Prepare
    const { deps, evidence, c } = await approvedDeletion();
    iam
      .on(DeleteAccessKeyCommand, { AccessKeyId: KEYS[0] })
      .resolves({ $metadata: { requestId: 'req-del-1' } })
      .on(DeleteAccessKeyCommand, { AccessKeyId: KEYS[1] })
      .rejects(
        Object.assign(new Error('We encountered an internal error'), {
          name: 'ServiceFailure',
          $fault: 'server',
          $metadata: { httpStatusCode: 500, requestId: 'req-del-2' },
        }),
      );

    // Act
    const error = await deleteApprovedKeys(deps, c.caseId).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(
      evidence
        .ofType(c.caseId, 'action')
        .map((e) => [e.data.api, e.data.outcome, e.data.requestId, e.data.keyId ?? null]),
    ).toEqual([
      ['sts:AssumeRoot', 'success', 'req-assume', null],
      ['iam:ListAccessKeys', 'success', 'req-list', null],
      ['iam:DeleteAccessKey', 'success', 'req-del-1', MASKED[0]],
      ['iam:DeleteAccessKey', 'failure', 'req-del-2', MASKED[1]],
    ]);
    const stored = await deps.cases.get(c.caseId);
    expect(stored.status).toBe('deleting');
    expect(stored.evidenceCount).toBe(4);
    expect(stored.evidenceHead).toBe(evidence.forCase(c.caseId).at(-1)?.digest);
  });

  it('records the first throttled attempt that deleted nothing, and not the state machine retries after it', async () => {
    // Prepare
    const { deps, evidence, c } = await approvedDeletion();
    iam.on(ListAccessKeysCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'req-throttled' },
      }),
    );

    // Act: the first attempt, then two retries.
    const errors = [];
    for (let i = 0; i < 3; i += 1) errors.push(await deleteApprovedKeys(deps, c.caseId).catch((e: unknown) => e));

    // Assess
    expect(errors.every((e) => e instanceof TransientAwsError)).toBe(true);
    const recorded = evidence.ofType(c.caseId, 'action').map((e) => [e.data.api, e.data.outcome]);
    expect(recorded).toEqual([
      ['sts:AssumeRoot', 'success'],
      ['iam:ListAccessKeys', 'failure'],
    ]);
    const stored = await deps.cases.get(c.caseId);
    expect(stored.status).toBe('deleting');
    expect(stored.deletionRetryingSince).toBe(now.toISOString());
  });

  it('records a refused AssumeRoot naming sts:AssumeRoot and deletes nothing', async () => {
    const { deps, evidence, c } = await approvedDeletion();
    sts.on(AssumeRootCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403, requestId: 'req-denied' },
      }),
    );

    const error = await deleteApprovedKeys(deps, c.caseId).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).permission).toBe('sts:AssumeRoot');
    expect(evidence.ofType(c.caseId, 'action').map((e) => e.data)).toEqual([
      expect.objectContaining({ api: 'sts:AssumeRoot', outcome: 'failure', requestId: 'req-denied' }),
    ]);
    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('moves the case to verifying after a complete deletion', async () => {
    const { deps, c } = await approvedDeletion();
    iam.on(DeleteAccessKeyCommand).resolves({});

    const result = await deleteApprovedKeys(deps, c.caseId);

    expect(result.deletedKeys).toEqual(MASKED);
    expect((await deps.cases.get(c.caseId)).status).toBe('verifying');
  });
});
