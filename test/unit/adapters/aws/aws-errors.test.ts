import { STSServiceException } from '@aws-sdk/client-sts';
import { AccessDeniedException } from '@aws-sdk/client-organizations';
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { callAws, toRootKeyError } from '../../../../functions/adapters/aws/aws-errors';
import {
  AccessDeniedError,
  CredentialsMissingError,
  InvalidInputError,
  TransientAwsError,
} from '../../../../functions/core/errors';

const context = {
  action: 'sts:AssumeRoot',
  where: 'account 333333333333 as arn:aws:sts::999999999999:assumed-role/X/y',
};

function sdkError(name: string, status: number, fault: 'client' | 'server' = 'client'): STSServiceException {
  return new STSServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: name });
}

describe('toRootKeyError', () => {
  it.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])(
    'maps %s to AccessDeniedError naming the action and the principal/account',
    (code) => {
      const cause = sdkError(code, 403);

      const mapped = toRootKeyError(cause, context) as AccessDeniedError;

      expect(mapped).toBeInstanceOf(AccessDeniedError);
      expect(mapped.name).toBe('AccessDeniedError');
      expect(mapped.permission).toBe('sts:AssumeRoot');
      expect(mapped.where).toBe(context.where);
      expect(mapped.message).toBe(`Access denied: sts:AssumeRoot is not allowed for ${context.where}`);
      expect(mapped.cause).toBe(cause);
    },
  );

  it('recognizes the modeled AccessDeniedException class of a JSON service', () => {
    const mapped = toRootKeyError(new AccessDeniedException({ message: 'no', $metadata: {} }), context);

    expect(mapped).toBeInstanceOf(AccessDeniedError);
  });

  it.each([
    ['Throttling', 400],
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 400],
    ['RequestLimitExceeded', 503],
    ['ServiceUnavailable', 503],
    ['InternalFailure', 500],
    ['SomethingNew', 502],
    ['SomethingElse', 429],
    ['TimeoutError', 0],
  ])('maps %s (HTTP %i) to TransientAwsError, which the state machine retries', (code, status) => {
    const cause = sdkError(code, status, status >= 500 ? 'server' : 'client');

    const mapped = toRootKeyError(cause, context) as TransientAwsError;

    expect(mapped).toBeInstanceOf(TransientAwsError);
    expect(mapped.transient).toBe(true);
    expect(mapped.cause).toBe(cause);
    expect(mapped.message).toContain('sts:AssumeRoot');
  });

  it('maps a socket reset to TransientAwsError', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

    expect(toRootKeyError(reset, context)).toBeInstanceOf(TransientAwsError);
  });

  it('maps CredentialsProviderError to CredentialsMissingError', () => {
    const cause = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

    const mapped = toRootKeyError(cause, context) as CredentialsMissingError;

    expect(mapped).toBeInstanceOf(CredentialsMissingError);
    expect(mapped.message).toContain('No AWS credentials found');
    expect(mapped.cause).toBe(cause);
  });

  it('leaves other AWS errors and already typed errors as they are', () => {
    const notFound = new NoSuchEntityException({ message: 'no such role', $metadata: { httpStatusCode: 404 } });
    const typed = new InvalidInputError('bad');

    expect(toRootKeyError(notFound, context)).toBe(notFound);
    expect(toRootKeyError(typed, context)).toBe(typed);
  });
});

describe('callAws', () => {
  it('returns the answer of a call that succeeds', async () => {
    await expect(callAws(context, async () => 42)).resolves.toBe(42);
  });

  it('throws the mapped error of a call that fails', async () => {
    await expect(callAws(context, () => Promise.reject(sdkError('AccessDenied', 403)))).rejects.toThrow(
      AccessDeniedError,
    );
  });
});
