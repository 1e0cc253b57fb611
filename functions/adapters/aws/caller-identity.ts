import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { callAws, requestIdOf } from './aws-errors';

/** Who the ambient credentials are (sts:GetCallerIdentity needs no permission). */
export interface CallerIdentity {
  accountId: string;
  arn: string;
  /** `aws`, `aws-us-gov`, `aws-cn`…: taken from the caller's ARN so that no ARN hard-codes `aws`. */
  partition: string;
  requestId?: string;
}

/** The partition of an ARN (`arn:<partition>:…`). */
export function partitionOf(arn: string): string {
  const partition = arn.split(':')[1];
  if (!arn.startsWith('arn:') || !partition) throw new Error(`Not an ARN: ${arn}`);
  return partition;
}

export async function getCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const out = await callAws({ action: 'sts:GetCallerIdentity', where: 'the ambient credentials' }, () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  if (!out.Account || !out.Arn) throw new Error('sts:GetCallerIdentity returned no account or ARN');
  return { accountId: out.Account, arn: out.Arn, partition: partitionOf(out.Arn), requestId: requestIdOf(out) };
}

/**
 * Memoizes an async lookup for the adapter's lifetime, but forgets a failure so that a throttled
 * first call does not poison every later one.
 */
export function memoizeAsync<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
