import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  conditionHolds,
  decodeAwsChunked,
  startAwsStub,
  STUB_INVOCATIONS_PATH,
} from '../../../bench/cold-start/aws-stub-server';
import { lambdaSelfInvoker } from '../../../slack-app/deferred-requests';
import { DEFAULT_SLACK_LAMBDA_MODEL, callRounds, roundsLatency } from '../../../bench/slack-lambda/slack-lambda-clicks';

describe('a click’s calls in rounds', () => {
  it('counts calls that arrived while another waited as one round, at the slowest call’s latency', () => {
    // Prepare: 30 ms AWS, 80 ms Slack; two AWS calls in a row, then a claim with a listing, then two Slack calls together.
    const calls = [
      { name: 'dynamodb:GetItem', at: 1_000 },
      { name: 'dynamodb:PutItem', at: 1_031 },
      { name: 's3:PutObject', at: 1_062 },
      { name: 's3:ListObjectsV2', at: 1_063 },
      { name: 'slack:chat.postMessage', at: 1_094 },
      { name: 'slack:chat.update', at: 1_093 },
    ];

    // Act
    const rounds = callRounds(calls, DEFAULT_SLACK_LAMBDA_MODEL);

    // Assess
    expect(rounds).toEqual([
      ['dynamodb:GetItem'],
      ['dynamodb:PutItem'],
      ['s3:PutObject', 's3:ListObjectsV2'],
      ['slack:chat.update', 'slack:chat.postMessage'],
    ]);
    expect(roundsLatency(rounds, DEFAULT_SLACK_LAMBDA_MODEL)).toBe(3 * 30 + 80);
  });
});

describe('the benchmark AWS stub’s DynamoDB conditions', () => {
  const item = { pk: { S: 'CASE#1' }, version: { N: '3' }, caseId: { S: 'RK-1' } };

  it('refuses a second create and accepts the first, as attribute_not_exists(pk) does', () => {
    expect(conditionHolds('attribute_not_exists(pk)', undefined)).toBe(true);
    expect(conditionHolds('attribute_not_exists(pk)', item)).toBe(false);
  });

  it('accepts an update only at the expected version', () => {
    const names = { '#version': 'version' };
    expect(conditionHolds('#version = :expected', item, names, { ':expected': { N: '3' } })).toBe(true);
    expect(conditionHolds('#version = :expected', item, names, { ':expected': { N: '2' } })).toBe(false);
  });

  it('evaluates OR terms, as the lock release writes them', () => {
    const expr = 'attribute_not_exists(pk) OR caseId = :caseId';
    expect(conditionHolds(expr, item, {}, { ':caseId': { S: 'RK-1' } })).toBe(true);
    expect(conditionHolds(expr, item, {}, { ':caseId': { S: 'RK-2' } })).toBe(false);
    expect(conditionHolds(expr, undefined, {}, { ':caseId': { S: 'RK-2' } })).toBe(true);
  });

  it('throws on an expression it does not understand instead of letting it pass', () => {
    expect(() => conditionHolds('begins_with(pk, :p)', item, {}, { ':p': { S: 'CASE' } })).toThrow(/not supported/);
  });
});

describe('the benchmark AWS stub’s S3 bodies', () => {
  it('decodes an aws-chunked body with a checksum trailer', () => {
    const raw = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-sha256:abc=\r\n\r\n');
    expect(decodeAwsChunked(raw).toString()).toBe('hello world');
  });
});

describe('the benchmark AWS stub’s Lambda', () => {
  it('queues an asynchronous Invoke made through the SDK (202) and hands it to the harness once', async () => {
    const stub = await startAwsStub();
    try {
      const client = new LambdaClient({
        endpoint: stub.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIABENCHMARKSTUB000', secretAccessKey: 'benchmark-stub-secret' },
      });
      await lambdaSelfInvoker(client, 'rootkey-slack')({ body: 'payload=x', headers: {} });
      expect(stub.calls).toEqual([expect.objectContaining({ service: 'lambda', action: 'Invoke', status: 202 })]);
      const taken = (await (await fetch(`${stub.url}${STUB_INVOCATIONS_PATH}`)).json()) as unknown[];
      expect(taken).toEqual([
        { functionName: 'rootkey-slack', payload: { rootkeyDeferredSlackRequest: { body: 'payload=x', headers: {} } } },
      ]);
      expect(stub.takeInvocations()).toEqual([]);
      // A synchronous invocation is refused: the stub runs no function.
      await expect(
        client.send(new InvokeCommand({ FunctionName: 'rootkey-slack', Payload: new TextEncoder().encode('{}') })),
      ).rejects.toThrow('the stub queues only asynchronous invocations');
    } finally {
      await stub.close();
    }
  });
});
