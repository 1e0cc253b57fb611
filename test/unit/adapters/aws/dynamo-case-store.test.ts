import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoCaseStore } from '../../../../functions/adapters/aws/dynamo-case-store';
import { CASES_BY_ACCOUNT_INDEX } from '../../../../functions/core/shared-names';
import type { AccountPosture } from '../../../../functions/core/account-posture';
import { openCase, type Case } from '../../../../functions/core/case';
import {
  CaseAlreadyOpenError,
  CaseNotFoundError,
  ConcurrentUpdateError,
  TransientAwsError,
} from '../../../../functions/core/errors';

const TABLE = 'rootkey-cases';
const ACCOUNT = '333333333333';
const ddb = mockClient(DynamoDBDocumentClient);

function posture(): AccountPosture {
  return {
    account: { id: ACCOUNT, name: 'payments-prod', isManagement: false },
    status: 'NON_COMPLIANT',
    keys: [{ maskedId: 'AKIA************0042', status: 'Active' }],
    reason: 'ListAccessKeys shows 1 active root access key.',
    method: 'assume-root-audit',
    removalPaths: ['assume-root-delete', 'console-privileged-action', 'root-sign-in', 'password-recovery'],
    signals: { accountAccessKeysPresent: 1 },
    checkedAt: '2026-11-28T10:00:00.000Z',
  };
}

function newCase(caseId = 'RK-333333333333-20261128100000-ab12'): Case {
  return openCase({
    posture: posture(),
    trigger: { source: 'manual', accountId: ACCOUNT, detectedAt: '2026-11-28T10:00:00.000Z' },
    requiredApprovals: 1,
    now: new Date('2026-11-28T10:00:00.000Z'),
    caseId,
  });
}

function item(c: Case) {
  return {
    pk: `CASE#${c.caseId}`,
    accountId: c.accountId,
    openedAt: c.openedAt,
    status: c.status,
    version: c.version,
    case: c,
  };
}

function cancelled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function store(): DynamoCaseStore {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new DynamoCaseStore({ client, tableName: TABLE });
}

beforeEach(() => ddb.reset());

describe('DynamoCaseStore.create', () => {
  it('writes the case and the account lock in one transaction, both only if absent', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const c = newCase();

    // Act
    const stored = await store().create(c);

    // Assess
    expect(stored.version).toBe(1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: expect.objectContaining({ pk: `CASE#${c.caseId}`, accountId: ACCOUNT, version: 1 }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: { pk: `OPEN#${ACCOUNT}`, caseId: c.caseId, since: c.openedAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    });
  });

  it('refuses a second open case for the account and names the open one', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed']));
    ddb.on(GetCommand, { Key: { pk: `OPEN#${ACCOUNT}` } }).resolves({
      Item: { pk: `OPEN#${ACCOUNT}`, caseId: 'RK-333333333333-20261127090000-zz99', since: '2026-11-27T09:00:00Z' },
    });

    // Act
    const attempt = store().create(newCase());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(CaseAlreadyOpenError);
    await expect(attempt).rejects.toMatchObject({
      openCaseId: 'RK-333333333333-20261127090000-zz99',
      accountId: ACCOUNT,
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: `OPEN#${ACCOUNT}` }, ConsistentRead: true });
  });

  it('reports an existing case id as a concurrent write, not as an open case', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));

    await expect(store().create(newCase())).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('stores a case that is closed from the start without taking the account lock', async () => {
    ddb.on(PutCommand).resolves({});
    const closed: Case = { ...newCase(), status: 'compliant' };

    await store().create(closed);

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: expect.objectContaining({ pk: `CASE#${closed.caseId}`, status: 'compliant' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('turns DynamoDB throttling into a TransientAwsError the workflow retries', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: {} }),
      );

    await expect(store().create(newCase())).rejects.toBeInstanceOf(TransientAwsError);
  });
});

describe('DynamoCaseStore.update', () => {
  it('writes the next version only if the stored version is the expected one', async () => {
    // Prepare
    const c = { ...newCase(), version: 3 };
    ddb.on(GetCommand).resolves({ Item: item(c) });
    ddb.on(PutCommand).resolves({});

    // Act
    const updated = await store().update(c.caseId, 3, (current) => ({ ...current, status: 'awaiting-approval' }));

    // Assess
    expect(updated).toMatchObject({ version: 4, status: 'awaiting-approval' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ version: 4, status: 'awaiting-approval' }),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': 3 },
    });
  });

  it('refuses a stale version before writing anything', async () => {
    const c = { ...newCase(), version: 5 };
    ddb.on(GetCommand).resolves({ Item: item(c) });

    await expect(store().update(c.caseId, 4, (current) => current)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  it('maps a lost race on the condition to ConcurrentUpdateError', async () => {
    const c = { ...newCase(), version: 2 };
    ddb.on(GetCommand).resolves({ Item: item(c) });
    ddb
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    await expect(store().update(c.caseId, 2, (current) => current)).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('starts from the version it just read or wrote instead of reading the item again', async () => {
    // Prepare: one read, then two updates in a row (a Slack click: claim the vote, move the evidence head).
    const c = { ...newCase(), version: 3 };
    ddb.on(GetCommand).resolves({ Item: item(c) });
    ddb.on(PutCommand).resolves({});
    const cases = store();
    await cases.get(c.caseId);

    // Act
    await cases.update(c.caseId, 3, (current) => ({ ...current, status: 'awaiting-approval' }));
    const second = await cases.update(c.caseId, 4, (current) => ({ ...current, evidenceCount: 9 }));

    // Assess: still one GetItem; each put is conditioned on the version it started from.
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(second).toMatchObject({ version: 5, status: 'awaiting-approval', evidenceCount: 9 });
    expect(ddb).toHaveReceivedNthSpecificCommandWith(2, PutCommand, {
      Item: expect.objectContaining({ version: 5 }),
      ExpressionAttributeValues: { ':expected': 4 },
    });
  });

  it('reads the item when another writer moved the case on, and after its write was refused', async () => {
    // Prepare: this store saw version 3; the table holds version 6.
    const c = { ...newCase(), version: 3 };
    const moved = { ...c, version: 6, status: 'awaiting-approval' as const };
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: item(c) })
      .resolves({ Item: item(moved) });
    ddb
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))
      .resolves({});
    const cases = store();
    await cases.get(c.caseId);

    // Act: the stale version is refused by DynamoDB's condition; the next update reads.
    await expect(cases.update(c.caseId, 3, (current) => current)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const updated = await cases.update(c.caseId, 6, (current) => ({ ...current, evidenceCount: 2 }));

    // Assess
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
    expect(updated).toMatchObject({ version: 7, status: 'awaiting-approval', evidenceCount: 2 });
  });

  it('reads the item when the expected version is not the one it knows', async () => {
    const c = { ...newCase(), version: 3 };
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: item(c) })
      .resolves({ Item: item({ ...c, version: 4 }) });
    ddb.on(PutCommand).resolves({});
    const cases = store();
    await cases.get(c.caseId);

    await cases.update(c.caseId, 4, (current) => current);

    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { ExpressionAttributeValues: { ':expected': 4 } });
  });

  it('releases the account lock in the same transaction that closes the case', async () => {
    // Prepare
    const c: Case = { ...newCase(), status: 'verifying', version: 7 };
    ddb.on(GetCommand).resolves({ Item: item(c) });
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const closed = await store().update(c.caseId, 7, (current) => ({ ...current, status: 'remediated' }));

    // Assess
    expect(closed.status).toBe('remediated');
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        { Put: expect.objectContaining({ ConditionExpression: '#version = :expected' }) },
        {
          Delete: {
            TableName: TABLE,
            Key: { pk: `OPEN#${ACCOUNT}` },
            ConditionExpression: 'attribute_not_exists(pk) OR caseId = :caseId',
            ExpressionAttributeValues: { ':caseId': c.caseId },
          },
        },
      ],
    });
  });
});

describe('DynamoCaseStore reads', () => {
  it('reads a case consistently and fails with CaseNotFoundError when it does not exist', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(store().get('RK-333333333333-20261128100000-none')).rejects.toBeInstanceOf(CaseNotFoundError);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'CASE#RK-333333333333-20261128100000-none' },
      ConsistentRead: true,
    });
  });

  it('finds the open case of an account through its lock', async () => {
    const c = { ...newCase(), version: 2 };
    ddb
      .on(GetCommand, { Key: { pk: `OPEN#${ACCOUNT}` } })
      .resolves({ Item: { pk: `OPEN#${ACCOUNT}`, caseId: c.caseId } });
    ddb.on(GetCommand, { Key: { pk: `CASE#${c.caseId}` } }).resolves({ Item: item(c) });

    const open = await store().findOpenByAccount(ACCOUNT);

    expect(open?.caseId).toBe(c.caseId);
  });

  it('answers undefined for an account without a lock', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(store().findOpenByAccount(ACCOUNT)).resolves.toBeUndefined();
  });

  it("lists an account's cases through the index, across pages, oldest first", async () => {
    // Prepare
    const older = {
      ...newCase('RK-333333333333-20261101000000-aaaa'),
      openedAt: '2026-11-01T00:00:00.000Z',
      status: 'remediated' as const,
    };
    const newer = newCase('RK-333333333333-20261128100000-bbbb');
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(newer)], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [item(older)] });

    // Act
    const all = await store().list({ accountId: ACCOUNT });

    // Assess
    expect(all.map((c) => c.caseId)).toEqual([older.caseId, newer.caseId]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: CASES_BY_ACCOUNT_INDEX,
      KeyConditionExpression: 'accountId = :account',
      ExclusiveStartKey: { pk: 'x' },
    });
  });

  it('leaves closed cases out when only open ones are asked for', async () => {
    const closed = { ...newCase('RK-333333333333-20261101000000-aaaa'), status: 'remediated' as const };
    const open = newCase('RK-333333333333-20261128100000-bbbb');
    ddb.on(QueryCommand).resolves({ Items: [item(open), item(closed)] });

    const listed = await store().list({ accountId: ACCOUNT, openOnly: true });

    expect(listed.map((c) => c.caseId)).toEqual([open.caseId]);
  });

  it('lists every case with a scan that skips the lock items', async () => {
    ddb.on(ScanCommand).resolves({ Items: [item(newCase())] });

    const all = await store().list();

    expect(all).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandWith(ScanCommand, {
      FilterExpression: 'begins_with(pk, :prefix)',
      ExpressionAttributeValues: { ':prefix': 'CASE#' },
    });
  });
});

describe('sweep outcomes', () => {
  const SWEEP = 'arn:aws:states:eu-west-1:222222222222:execution:rootkey-sweep:s1';

  it("counts an account's outcome on the sweep's tally once, in one transaction with its report item", async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const recorded = await store().recordSweepOutcome(SWEEP, ACCOUNT, 'case-opened');

    // Assess
    expect(recorded).toBe(true);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: `SWEEP#${SWEEP}#${ACCOUNT}`, outcome: 'case-opened', expiresAt: expect.any(Number) },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[1]!.Update).toMatchObject({
      Key: { pk: `SWEEP#${SWEEP}` },
      UpdateExpression: expect.stringContaining('ADD #outcome :one'),
      ExpressionAttributeNames: { '#outcome': 'case-opened', '#expiresAt': 'expiresAt' },
    });
    const week = (items[0]!.Put!.Item!['expiresAt'] as number) - Date.now() / 1000;
    expect(week).toBeGreaterThan(6.9 * 86_400);
    expect(week).toBeLessThan(7.1 * 86_400);
  });

  it('changes nothing when the account reported already (a retried task)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));

    await expect(store().recordSweepOutcome(SWEEP, ACCOUNT, 'error')).resolves.toBe(false);
  });

  it('reads the tally as four counts, zero for outcomes nobody reported', async () => {
    ddb.on(GetCommand, { Key: { pk: `SWEEP#${SWEEP}` } }).resolves({
      Item: { pk: `SWEEP#${SWEEP}`, compliant: 990, 'case-opened': 7, expiresAt: 1 },
    });

    await expect(store().sweepTally(SWEEP)).resolves.toEqual({
      compliant: 990,
      'case-opened': 7,
      'case-already-open': 0,
      error: 0,
    });
  });
});
