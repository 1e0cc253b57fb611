import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { isTerminal, type Case } from '../../core/case';
import { CaseAlreadyOpenError, CaseNotFoundError, ConcurrentUpdateError, InvalidInputError } from '../../core/errors';
import { EMPTY_TALLY, SWEEP_OUTCOMES, type SweepOutcome, type SweepTally } from '../../core/sweep-summary';
import { CASES_BY_ACCOUNT_INDEX, EXPIRES_AT_ATTRIBUTE, SWEEP_PREFIX } from '../../core/shared-names';
import type { CaseStorePort } from '../../ports/case-store';
import { awsErrorCode, callAws, toRootKeyError } from './aws-errors';

const CASE_PREFIX = 'CASE#';
const OPEN_PREFIX = 'OPEN#';
/** Sweep items are kept a week, like the sweep lists: long enough to look into a sweep, no longer. */
const SWEEP_ITEM_DAYS = 7;
/** Cases whose newest version an instance keeps (one Lambda container handles one case at a time). */
const SEEN_CASES = 64;

export interface DynamoCaseStoreOptions {
  /** A document client built with `removeUndefinedValues: true` (optional case fields are absent, not null). */
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** A case row: the case as a map plus the attributes keys and the index need. */
interface CaseItem {
  pk: string;
  accountId: string;
  openedAt: string;
  status: string;
  version: number;
  case: Case;
}

interface LockItem {
  pk: string;
  caseId: string;
  since: string;
}

/** `TransactionCanceledException.CancellationReasons`, in the order of the transaction's items. */
function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (awsErrorCode(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((r) => (r.Code === 'None' ? undefined : r.Code));
}

/**
 * The case store on DynamoDB (`CaseStorePort`). One table, partition key `pk`:
 *
 * - `CASE#<caseId>`: the case (attribute `case`) with `version` for optimistic concurrency;
 * - `OPEN#<accountId>`: a lock item naming the account's one open case.
 *
 * Opening a case writes both in one transaction, each with `attribute_not_exists(pk)`, so a second
 * open case for an account is refused by DynamoDB itself, however many triggers race. Every update
 * is a conditional put on `version = expected`; the update that closes a case removes the lock in
 * the same transaction, which lets the next case of the account open. The GSI `byAccount`
 * (`accountId`, `openedAt`) lists an account's cases; lock items carry no `accountId` and stay out.
 *
 * The organization sweep's reports live in the same table (`SWEEP#…` items, expired by TTL after a
 * week, see {@link recordSweepOutcome}): no other table, grant or adapter for a handful of counters.
 */
export class DynamoCaseStore implements CaseStorePort {
  /**
   * The newest version of each case this instance read or wrote (the last {@link SEEN_CASES}).
   * `update` starts from it when it is the expected version, instead of reading the item again: every
   * write of a case item bumps `version`, so a case at a given version has one content, and the
   * conditional put refuses the write if the table has moved on. Never used to answer `get`.
   */
  private readonly seen = new Map<string, Case>();

  constructor(private readonly options: DynamoCaseStoreOptions) {}

  private remember(c: Case): void {
    this.seen.delete(c.caseId);
    this.seen.set(c.caseId, structuredClone(c));
    if (this.seen.size > SEEN_CASES) this.seen.delete(this.seen.keys().next().value!);
  }

  async create(c: Case): Promise<Case> {
    const stored: Case = { ...c, version: 1 };
    const item = this.toItem(stored);
    const where = `table ${this.options.tableName}`;
    if (isTerminal(c.status)) {
      try {
        await callAws({ action: 'dynamodb:PutItem', where }, () =>
          this.options.client.send(
            new PutCommand({
              TableName: this.options.tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      } catch (error) {
        if (awsErrorCode(error) === 'ConditionalCheckFailedException') throw new ConcurrentUpdateError(c.caseId);
        throw error;
      }
      return stored;
    }
    const lock: LockItem = { pk: `${OPEN_PREFIX}${c.accountId}`, caseId: c.caseId, since: c.openedAt };
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.options.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.options.tableName, Item: lock, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.[1] === 'ConditionalCheckFailed') {
        const open = await this.readLock(c.accountId);
        throw new CaseAlreadyOpenError(c.accountId, open?.caseId ?? 'unknown');
      }
      if (codes?.[0] === 'ConditionalCheckFailed' || codes?.includes('TransactionConflict')) {
        throw new ConcurrentUpdateError(c.caseId);
      }
      throw this.mapped(error, 'dynamodb:PutItem (TransactWriteItems)');
    }
    return stored;
  }

  async get(caseId: string): Promise<Case> {
    const out = await callAws({ action: 'dynamodb:GetItem', where: `table ${this.options.tableName}` }, () =>
      this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: { pk: `${CASE_PREFIX}${caseId}` },
          ConsistentRead: true,
        }),
      ),
    );
    const item = out.Item as CaseItem | undefined;
    if (!item) {
      this.seen.delete(caseId);
      throw new CaseNotFoundError(caseId);
    }
    const c = this.fromItem(item);
    this.remember(c);
    return c;
  }

  async findOpenByAccount(accountId: string): Promise<Case | undefined> {
    const lock = await this.readLock(accountId);
    if (!lock) return undefined;
    try {
      const c = await this.get(lock.caseId);
      return isTerminal(c.status) ? undefined : c;
    } catch (error) {
      if (error instanceof CaseNotFoundError) return undefined;
      throw error;
    }
  }

  async list(filter: { openOnly?: boolean; accountId?: string } = {}): Promise<Case[]> {
    const items: CaseItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    const where = `table ${this.options.tableName}`;
    do {
      const page = filter.accountId
        ? await callAws({ action: 'dynamodb:Query', where }, () =>
            this.options.client.send(
              new QueryCommand({
                TableName: this.options.tableName,
                IndexName: CASES_BY_ACCOUNT_INDEX,
                KeyConditionExpression: 'accountId = :account',
                ExpressionAttributeValues: { ':account': filter.accountId },
                ExclusiveStartKey: startKey,
              }),
            ),
          )
        : await callAws({ action: 'dynamodb:Scan', where }, () =>
            this.options.client.send(
              new ScanCommand({
                TableName: this.options.tableName,
                FilterExpression: 'begins_with(pk, :prefix)',
                ExpressionAttributeValues: { ':prefix': CASE_PREFIX },
                ExclusiveStartKey: startKey,
              }),
            ),
          );
      items.push(...((page.Items ?? []) as CaseItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items
      .map((item) => this.fromItem(item))
      .filter((c) => !filter.openOnly || !isTerminal(c.status))
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  async update(caseId: string, expectedVersion: number, change: (current: Case) => Case): Promise<Case> {
    const known = this.seen.get(caseId);
    const current = known?.version === expectedVersion ? structuredClone(known) : await this.get(caseId);
    if (current.version !== expectedVersion) throw new ConcurrentUpdateError(caseId);
    const next = change(structuredClone(current));
    if (next.accountId !== current.accountId) {
      throw new InvalidInputError(`Case ${caseId} cannot move from account ${current.accountId} to ${next.accountId}`);
    }
    const stored: Case = { ...next, caseId, version: expectedVersion + 1 };
    const put = {
      TableName: this.options.tableName,
      Item: this.toItem(stored),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    };
    const closes = isTerminal(stored.status) && !isTerminal(current.status);
    try {
      if (closes) {
        await this.options.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              {
                // Releases the account for its next case; a lock of another case is left alone.
                Delete: {
                  TableName: this.options.tableName,
                  Key: { pk: `${OPEN_PREFIX}${current.accountId}` },
                  ConditionExpression: 'attribute_not_exists(pk) OR caseId = :caseId',
                  ExpressionAttributeValues: { ':caseId': caseId },
                },
              },
            ],
          }),
        );
      } else {
        await this.options.client.send(new PutCommand(put));
      }
    } catch (error) {
      const codes = cancellationCodes(error);
      if (
        awsErrorCode(error) === 'ConditionalCheckFailedException' ||
        codes?.[0] === 'ConditionalCheckFailed' ||
        codes?.includes('TransactionConflict')
      ) {
        this.seen.delete(caseId);
        throw new ConcurrentUpdateError(caseId);
      }
      throw this.mapped(error, closes ? 'dynamodb:PutItem (TransactWriteItems)' : 'dynamodb:PutItem');
    }
    this.remember(stored);
    return stored;
  }

  /**
   * One transaction: the account's report item, only if absent (so a retried task counts once), and
   * `ADD outcome 1` on the sweep's tally item. The summary then reads one item however many accounts
   * the organization has.
   */
  async recordSweepOutcome(sweepId: string, accountId: string, outcome: SweepOutcome): Promise<boolean> {
    const expiresAt = Math.floor(Date.now() / 1000) + SWEEP_ITEM_DAYS * 86_400;
    try {
      await this.options.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.options.tableName,
                Item: { pk: `${SWEEP_PREFIX}${sweepId}#${accountId}`, outcome, [EXPIRES_AT_ATTRIBUTE]: expiresAt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.options.tableName,
                Key: { pk: `${SWEEP_PREFIX}${sweepId}` },
                UpdateExpression: 'ADD #outcome :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
                ExpressionAttributeNames: { '#outcome': outcome, '#expiresAt': EXPIRES_AT_ATTRIBUTE },
                ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.[0] === 'ConditionalCheckFailed') return false;
      if (codes?.includes('TransactionConflict')) throw new ConcurrentUpdateError(`${SWEEP_PREFIX}${sweepId}`);
      throw this.mapped(error, 'dynamodb:UpdateItem (TransactWriteItems)');
    }
  }

  async sweepTally(sweepId: string): Promise<SweepTally> {
    const out = await callAws({ action: 'dynamodb:GetItem', where: `table ${this.options.tableName}` }, () =>
      this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: { pk: `${SWEEP_PREFIX}${sweepId}` },
          ConsistentRead: true,
        }),
      ),
    );
    const item = (out.Item ?? {}) as Record<string, unknown>;
    const tally = { ...EMPTY_TALLY };
    for (const outcome of SWEEP_OUTCOMES) if (typeof item[outcome] === 'number') tally[outcome] = item[outcome];
    return tally;
  }

  private async readLock(accountId: string): Promise<LockItem | undefined> {
    const out = await callAws({ action: 'dynamodb:GetItem', where: `table ${this.options.tableName}` }, () =>
      this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: { pk: `${OPEN_PREFIX}${accountId}` },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item as LockItem | undefined;
  }

  private mapped(error: unknown, action: string): unknown {
    return toRootKeyError(error, { action, where: `table ${this.options.tableName}` });
  }

  private toItem(c: Case): CaseItem {
    return {
      pk: `${CASE_PREFIX}${c.caseId}`,
      accountId: c.accountId,
      openedAt: c.openedAt,
      status: c.status,
      version: c.version,
      case: c,
    };
  }

  private fromItem(item: CaseItem): Case {
    return { ...item.case, version: item.version };
  }
}
