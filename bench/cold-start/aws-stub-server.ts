import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Slack secret the stub's Secrets Manager hands out (the Slack benchmark signs with it). */
export const STUB_SLACK_SECRET = { signingSecret: 'bench-signing-secret', botToken: 'xoxb-bench-token' };

export interface AwsStub {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/**
 * A tiny local HTTP server that stands in for every AWS endpoint (`AWS_ENDPOINT_URL`), so that a
 * handler's first invocation makes its real SDK call without AWS: Secrets Manager GetSecretValue
 * answers the benchmark's Slack secret; other JSON-protocol calls (DynamoDB, Step Functions,
 * Security Hub, KMS) get 200 `{}` (DynamoDB: "no such item"); query-protocol calls (STS, IAM)
 * get a non-retryable 400 `ValidationError` in XML, so that the call fails fast instead of retrying. Paths under `/slack/`
 * answer `{"ok": true}` for the Slack handler's Web API calls (`SLACK_API_URL`) and response URLs.
 */
export async function startAwsStub(): Promise<AwsStub> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench-stub' });
        res.end(JSON.stringify(body));
      };
      if ((req.url ?? '').startsWith('/slack/')) {
        // Slack Web API calls and response_url posts of the Slack handler.
        json(200, { ok: true });
      } else if (target === 'secretsmanager.GetSecretValue') {
        json(200, {
          ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rootkey-slack-AbCdEf',
          Name: 'rootkey-slack',
          SecretString: JSON.stringify(STUB_SLACK_SECRET),
          VersionId: 'bench',
        });
      } else if (target !== '') {
        json(200, {});
      } else {
        // Query protocol (STS, IAM): an XML error, as those services answer.
        res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': 'bench-stub' });
        res.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>benchmark stub: no AWS here</Message></Error><RequestId>bench-stub</RequestId></ErrorResponse>',
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
