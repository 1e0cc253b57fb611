import { conditionHolds, decodeAwsChunked } from '../../../bench/cold-start/aws-stub-server';
import { DEFAULT_SLACK_LAMBDA_MODEL, sequentialLatency } from '../../../bench/slack-lambda/slack-lambda-clicks';

describe('the Slack Lambda benchmark model', () => {
  it('adds up each click’s calls at the stated AWS and Slack latencies', () => {
    // Prepare: 30 ms per AWS call, 80 ms per Slack call
    const calls = { 'dynamodb:GetItem': 6, 'kms:Sign': 1, 'slack:chat.update': 1, 'slack:chat.postMessage': 0.5 };

    // Act
    const total = sequentialLatency(calls, DEFAULT_SLACK_LAMBDA_MODEL);

    // Assess
    expect(total).toBe(7 * 30 + 1.5 * 80);
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
