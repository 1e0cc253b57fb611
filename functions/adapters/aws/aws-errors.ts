import { AccessDeniedError, CredentialsMissingError, RootKeyError, TransientAwsError } from '../../core/errors';

/** What was being attempted, so that a refusal can name the permission and the principal/account. */
export interface AwsCallContext {
  /** IAM action, e.g. `sts:AssumeRoot`. */
  action: string;
  /** Principal and/or account, e.g. `account 333333333333 as arn:aws:sts::…:assumed-role/…`. */
  where: string;
}

/** Error codes AWS services use for "not allowed" (IAM/STS query APIs, JSON APIs, EC2-style). */
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AccessDeniedForDependencyException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
]);

/** Codes that mean "slow down" or "try again later" (the SDK's own throttling list plus 5xx codes). */
const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServiceFailure',
  'ServiceFailureException',
  'ServiceException',
  'ConcurrentModificationException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Network-level failures worth retrying later. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $retryable?: { throttling?: boolean };
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** The AWS error code of an SDK error (`name`, or `Code`/`code` on older shapes). */
export function awsErrorCode(error: unknown): string | undefined {
  const e = shapeOf(error);
  return e.name && e.name !== 'Error' ? e.name : e.code;
}

export function isAccessDenied(error: unknown): boolean {
  if (error instanceof AccessDeniedError) return true;
  const code = awsErrorCode(error);
  return code !== undefined && ACCESS_DENIED.has(code);
}

export function isTransient(error: unknown): boolean {
  if (error instanceof RootKeyError) return error.transient;
  const e = shapeOf(error);
  const code = awsErrorCode(error);
  if (code && TRANSIENT.has(code)) return true;
  if (e.code && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable?.throttling) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}

/**
 * Maps an SDK error to the project's typed errors, keeping the original as `cause`:
 * refusals → AccessDeniedError naming `context.action` and `context.where`; throttling, 5xx and
 * timeouts → TransientAwsError (the state machine retries only these); no credentials →
 * CredentialsMissingError. Errors already typed pass through; anything else is returned unchanged
 * (its SDK name is stable too, and it is not ours to reinterpret).
 */
export function toRootKeyError(error: unknown, context: AwsCallContext): unknown {
  if (error instanceof RootKeyError) return error;
  const code = awsErrorCode(error);
  if (code === 'CredentialsProviderError') return new CredentialsMissingError({ cause: error });
  if (isAccessDenied(error)) return new AccessDeniedError(context.action, context.where, { cause: error });
  if (isTransient(error)) {
    const requestId = shapeOf(error).$metadata?.requestId;
    return new TransientAwsError(
      `${context.action} for ${context.where} failed and may succeed later: ${code ?? 'Error'}: ${shapeOf(error).message ?? String(error)}${requestId ? ` (request id ${requestId})` : ''}`,
      { cause: error },
    );
  }
  return error;
}

/** Runs one AWS call and throws its error mapped by {@link toRootKeyError}. */
export async function callAws<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toRootKeyError(error, context);
  }
}

/** The request id AWS gave a response (`$metadata.requestId`), for the evidence. */
export function requestIdOf(output: { $metadata?: { requestId?: string } } | undefined): string | undefined {
  return output?.$metadata?.requestId;
}
