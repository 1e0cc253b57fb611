import { STSClient, type Credentials } from '@aws-sdk/client-sts';
import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { RootAccessUnavailableError } from '../../core/errors';

/**
 * Attempts per call (first try included). Organizations and IAM throttle hard during an
 * organization-wide sweep; five attempts with adaptive rate limiting ride that out without
 * hiding a real outage for minutes.
 */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Credentials as the SDK accepts them: a static identity or a provider. */
export type AwsCredentials = NonNullable<IAMClientConfig['credentials']>;

/**
 * Options every client shares. Everything left out comes from the SDK's standard configuration:
 * `AWS_REGION`/profile for the Region, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` for
 * endpoints (there is deliberately no endpoint option here), the default credential chain, and
 * `AWS_RETRY_MODE`/`AWS_MAX_ATTEMPTS` when set.
 */
export interface AwsClientOptions {
  region?: string;
  credentials?: AwsCredentials;
  maxAttempts?: number;
  /** Replaces the HTTP handler (tests drive the real SDK middleware stack with a fake handler). */
  requestHandler?: IAMClientConfig['requestHandler'];
}

/** The SDK options every rootkey client shares (also used by `organizations-client.ts`). */
export function sharedConfig(options: AwsClientOptions, env: NodeJS.ProcessEnv = process.env) {
  return {
    // Adaptive retries add client-side rate limiting on throttling on top of the standard backoff;
    // an explicit AWS_RETRY_MODE / AWS_MAX_ATTEMPTS still wins, as the SDK documents.
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(options.maxAttempts !== undefined
      ? { maxAttempts: options.maxAttempts }
      : env.AWS_MAX_ATTEMPTS
        ? {}
        : { maxAttempts: DEFAULT_MAX_ATTEMPTS }),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  };
}

/**
 * STS client on a Regional endpoint. `sts:AssumeRoot` is not served by the global endpoint
 * (sts.amazonaws.com). SDK v3 already resolves STS to `sts.<region>.amazonaws.com` for every
 * Region (its `useGlobalEndpoint` parameter defaults to false and it ignores the v2-era
 * `AWS_STS_REGIONAL_ENDPOINTS=legacy`); we set it explicitly so that no future default can flip
 * it. The only way left to reach the global endpoint is the pseudo-Region `aws-global`, which
 * {@link assertRegionalSts} refuses before AssumeRoot.
 */
export function createStsClient(options: AwsClientOptions = {}): STSClient {
  return new STSClient({ ...sharedConfig(options), useGlobalEndpoint: false });
}

/** IAM client (IAM is a global service: the Region only picks the partition). */
export function createIamClient(options: AwsClientOptions = {}): IAMClient {
  return new IAMClient(sharedConfig(options));
}

/**
 * Turns STS temporary credentials (AssumeRoot, AssumeRole) into an SDK credential identity.
 * Throws when STS answered without a complete set, which would otherwise surface later as a
 * confusing signature error.
 */
export function toCredentialIdentity(credentials: Credentials | undefined): AwsCredentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new Error('STS returned no complete set of temporary credentials');
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
  };
}

/** An IAM client acting with temporary credentials (a root session or an assumed read role). */
export function createIamClientFromCredentials(
  credentials: Credentials | undefined,
  options: Omit<AwsClientOptions, 'credentials'> = {},
): IAMClient {
  return createIamClient({ ...options, credentials: toCredentialIdentity(credentials) });
}

/**
 * Refuses the STS global endpoint for AssumeRoot. `aws-global` is the pseudo-Region that makes the
 * SDK resolve sts.amazonaws.com; a custom `AWS_ENDPOINT_URL_STS` is the operator's explicit choice
 * and is left alone.
 */
export async function assertRegionalSts(sts: STSClient): Promise<void> {
  const region = await sts.config.region();
  if (!region || region === 'aws-global') {
    throw new RootAccessUnavailableError(
      `sts:AssumeRoot needs a Regional STS endpoint, but the Region is ${region ? `'${region}'` : 'not set'}; set AWS_REGION to a Region such as us-east-1`,
    );
  }
}
