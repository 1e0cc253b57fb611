import { evaluatePolicy, evaluateStatement, globMatch } from '../../../functions/core/scp-evaluation';

const ctx = { accountId: '333333333333' };
const deny = (extra: Record<string, unknown>) => ({
  Effect: 'Deny',
  Resource: '*',
  Action: 'iam:CreateAccessKey',
  ...extra,
});

describe('evaluateStatement (root user creating its own access key)', () => {
  it('matches actions case-insensitively and with wildcards, and NotAction by exclusion', () => {
    expect(evaluateStatement(deny({ Action: 'IAM:createaccesskey' }), ctx).applicability).toBe('applies');
    expect(evaluateStatement(deny({ Action: ['s3:*', 'iam:*AccessKey'] }), ctx).applicability).toBe('applies');
    expect(evaluateStatement({ Effect: 'Deny', Resource: '*', NotAction: 'iam:Get*' }, ctx).applicability).toBe(
      'applies',
    );
    expect(evaluateStatement({ Effect: 'Deny', Resource: '*', NotAction: 'iam:*' }, ctx).applicability).toBe(
      'does-not-apply',
    );
  });

  it('checks Resource and NotResource against the root user ARN', () => {
    expect(evaluateStatement(deny({ Resource: 'arn:aws:iam::*:root' }), ctx).applicability).toBe('applies');
    expect(evaluateStatement(deny({ Resource: 'arn:aws:iam::*:user/*' }), ctx).applicability).toBe('does-not-apply');
    expect(
      evaluateStatement(deny({ Resource: undefined, NotResource: 'arn:aws:iam::*:root' }), ctx).applicability,
    ).toBe('does-not-apply');
  });

  it('decides Null aws:AssumedRoot (absent outside an AssumeRoot session) and IfExists on a missing key', () => {
    expect(evaluateStatement(deny({ Condition: { Null: { 'aws:AssumedRoot': 'true' } } }), ctx).applicability).toBe(
      'applies',
    );
    expect(evaluateStatement(deny({ Condition: { Null: { 'aws:AssumedRoot': 'false' } } }), ctx).applicability).toBe(
      'does-not-apply',
    );
    expect(
      evaluateStatement(deny({ Condition: { StringEqualsIfExists: { 'aws:AssumedRoot': 'true' } } }), ctx)
        .applicability,
    ).toBe('applies');
  });

  it('evaluates principal conditions, including account-scoped ones', () => {
    expect(
      evaluateStatement(deny({ Condition: { StringEquals: { 'aws:PrincipalType': 'Account' } } }), ctx).applicability,
    ).toBe('applies');
    expect(
      evaluateStatement(deny({ Condition: { StringEquals: { 'aws:PrincipalAccount': '444444444444' } } }), ctx)
        .applicability,
    ).toBe('does-not-apply');
    expect(
      evaluateStatement(deny({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::333333333333:root' } } }), ctx)
        .applicability,
    ).toBe('applies');
  });

  it('calls unmodelled keys and set operators unknown, so a deny with them never counts', () => {
    const regional = evaluateStatement(
      deny({ Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }),
      ctx,
    );
    expect(regional).toMatchObject({ applicability: 'unknown', note: expect.stringContaining('aws:RequestedRegion') });
    expect(
      evaluateStatement(deny({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalArn': '*' } } }), ctx)
        .applicability,
    ).toBe('unknown');
    expect(
      evaluatePolicy(
        JSON.stringify({ Statement: [deny({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })] }),
        ctx,
      ).denies,
    ).toBe(false);
  });
});

describe('evaluatePolicy', () => {
  it('reports unreadable documents instead of guessing', () => {
    expect(evaluatePolicy('not json', ctx)).toMatchObject({
      denies: false,
      allows: false,
      unreadable: expect.stringContaining('not JSON'),
    });
    expect(evaluatePolicy('{"Version":"2012-10-17"}', ctx).unreadable).toBe('no statements');
  });

  it('names the denying statement', () => {
    expect(evaluatePolicy(JSON.stringify({ Statement: [deny({ Sid: 'NoRootKeys' })] }), ctx)).toMatchObject({
      denies: true,
      denyingSid: 'NoRootKeys',
    });
  });
});

describe('globMatch', () => {
  it('treats * and ? as wildcards and everything else literally', () => {
    expect(globMatch('iam:Create?ccessKey', 'iam:CreateAccessKey')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });
});
