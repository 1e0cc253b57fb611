import { Readable } from 'node:stream';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import {
  DEFAULT_MAX_ATTEMPTS,
  createIamClientFromCredentials,
  createStsClient,
  type AwsClientOptions,
} from '../../../../functions/adapters/aws/clients';
import { createOrganizationsClient } from '../../../../functions/adapters/aws/organizations-client';
import { callAws } from '../../../../functions/adapters/aws/aws-errors';
import { TransientAwsError } from '../../../../functions/core/errors';

/**
 * These tests drive the real SDK middleware stack (endpoint resolution, signing, retries) and
 * replace only the HTTP layer, so they show what the SDK does on the wire: no mock of `send`.
 */
interface FakeResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}
interface SeenRequest {
  hostname: string;
  port?: number;
  protocol: string;
  headers: Record<string, string>;
}

function fakeHttp(responses: FakeResponse[]) {
  const seen: SeenRequest[] = [];
  const handler = {
    handle: async (request: SeenRequest) => {
      seen.push(request);
      const r = responses[Math.min(seen.length - 1, responses.length - 1)];
      return {
        response: {
          statusCode: r.status,
          headers: { 'x-amzn-requestid': `req-${seen.length}`, ...r.headers },
          body: Readable.from([Buffer.from(r.body)]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { seen, requestHandler: handler as unknown as AwsClientOptions['requestHandler'] };
}

const credentials = { accessKeyId: 'AKIATESTTESTTEST0000', secretAccessKey: 'secret' };
const callerIdentityXml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>
  <ResponseMetadata><RequestId>req</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
const json = { 'content-type': 'application/x-amz-json-1.1' };
const throttled: FakeResponse = {
  status: 400,
  headers: json,
  body: JSON.stringify({
    __type: 'TooManyRequestsException',
    Message: 'AWS Organizations can not complete your request',
  }),
};
const accountsPage: FakeResponse = {
  status: 200,
  headers: json,
  body: JSON.stringify({ Accounts: [{ Id: '222222222222', Name: 'security-tooling', State: 'ACTIVE' }] }),
};

async function retryModeOf(client: ReturnType<typeof createOrganizationsClient>): Promise<string | undefined> {
  const strategy = await client.config.retryStrategy();
  return (strategy as { mode?: string }).mode;
}

describe('AWS client factory', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('sends STS calls to the Regional endpoint of the configured Region, never sts.amazonaws.com', async () => {
    // Prepare
    const { seen, requestHandler } = fakeHttp([
      { status: 200, body: callerIdentityXml, headers: { 'content-type': 'text/xml' } },
    ]);
    const sts = createStsClient({ region: 'eu-west-1', credentials, requestHandler });

    // Act
    const out = await sts.send(new GetCallerIdentityCommand({}));

    // Assess
    expect(seen[0].hostname).toBe('sts.eu-west-1.amazonaws.com');
    expect(out.Account).toBe('123456789012');
    expect(out.$metadata.requestId).toBe('req-1');
  });

  it('resolves us-east-1 to its Regional STS endpoint too (the Region where the global one used to be the default)', async () => {
    const { seen, requestHandler } = fakeHttp([
      { status: 200, body: callerIdentityXml, headers: { 'content-type': 'text/xml' } },
    ]);
    const sts = createStsClient({ region: 'us-east-1', credentials, requestHandler });

    await sts.send(new GetCallerIdentityCommand({}));

    expect(seen[0].hostname).toBe('sts.us-east-1.amazonaws.com');
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_STS, as the SDK standard configuration says', async () => {
    process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:4566';
    const { seen, requestHandler } = fakeHttp([
      { status: 200, body: callerIdentityXml, headers: { 'content-type': 'text/xml' } },
    ]);
    const sts = createStsClient({ region: 'eu-west-1', credentials, requestHandler });

    await sts.send(new GetCallerIdentityCommand({}));

    expect(seen[0].hostname).toBe('127.0.0.1');
    expect(seen[0].port).toBe(4566);
  });

  it('retries throttling in adaptive mode and returns the answer that followed', async () => {
    const { seen, requestHandler } = fakeHttp([throttled, accountsPage]);
    const organizations = createOrganizationsClient({ region: 'us-east-1', credentials, requestHandler });

    const out = await organizations.send(new ListAccountsCommand({}));

    expect(await retryModeOf(organizations)).toBe('adaptive');
    expect(await organizations.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(seen).toHaveLength(2);
    expect(out.Accounts?.[0].Id).toBe('222222222222');
    expect(out.$metadata.attempts).toBe(2);
  });

  it('gives up after maxAttempts and the caller sees TransientAwsError', async () => {
    const { seen, requestHandler } = fakeHttp([throttled]);
    const organizations = createOrganizationsClient({
      region: 'us-east-1',
      credentials,
      requestHandler,
      maxAttempts: 2,
    });

    const error = await callAws({ action: 'organizations:ListAccounts', where: 'the test organization' }, () =>
      organizations.send(new ListAccountsCommand({})),
    ).catch((e: unknown) => e);

    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).message).toContain('TooManyRequestsException');
  });

  it('leaves retry settings to AWS_RETRY_MODE and AWS_MAX_ATTEMPTS when they are set', async () => {
    process.env.AWS_RETRY_MODE = 'standard';
    process.env.AWS_MAX_ATTEMPTS = '7';
    const organizations = createOrganizationsClient({ region: 'us-east-1', credentials });

    expect(await retryModeOf(organizations)).toBe('standard');
    expect(await organizations.config.maxAttempts()).toBe(7);
  });

  it('builds an IAM client that signs with the temporary credentials STS returned', async () => {
    const iam = createIamClientFromCredentials(
      {
        AccessKeyId: 'ASIATEMP',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date('2030-01-01T00:00:00Z'),
      },
      { region: 'us-east-1' },
    );

    const identity = await iam.config.credentials();

    expect(identity).toMatchObject({ accessKeyId: 'ASIATEMP', secretAccessKey: 's', sessionToken: 't' });
    expect(() => createIamClientFromCredentials({ AccessKeyId: 'ASIATEMP' } as never)).toThrow(
      'STS returned no complete set of temporary credentials',
    );
  });
});
