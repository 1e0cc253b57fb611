import {
  credentialReportKeyLabel,
  parseCsv,
  parseCredentialReport,
  rootKeysFromCredentialReport,
} from '../../../functions/core/credential-report';
import { InvalidInputError } from '../../../functions/core/errors';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const NO_KEY = 'false,N/A,N/A,N/A,N/A';
const generatedAt = '2026-11-28T09:00:00.000Z';

function rootRow(key1: string, key2: string = NO_KEY): string {
  return `<root_account>,arn:aws:iam::111111111111:root,2019-01-01T00:00:00+00:00,not_supported,2026-11-01T10:00:00+00:00,not_supported,not_supported,true,${key1},${key2},false,N/A,false,N/A`;
}
const userRow =
  'alice,arn:aws:iam::111111111111:user/alice,2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';

describe('rootKeysFromCredentialReport', () => {
  it('reads an active root key with where and when it was last used', () => {
    // Prepare
    const csv = [
      HEADER,
      rootRow('true,2020-11-02T08:00:00+00:00,2026-11-20T06:15:00+00:00,eu-west-1,ec2'),
      userRow,
    ].join('\n');

    // Act
    const signal = rootKeysFromCredentialReport(csv, generatedAt);

    // Assess
    expect(signal).toEqual({
      generatedAt,
      keys: [
        {
          maskedId: credentialReportKeyLabel(1),
          status: 'Active',
          createdAt: '2020-11-02T08:00:00.000Z',
          lastUsed: { date: '2026-11-20T06:15:00.000Z', service: 'ec2', region: 'eu-west-1' },
        },
      ],
    });
  });

  it('reports an inactive key that was never used, with no last-used detail', () => {
    const csv = `${HEADER}\n${rootRow(NO_KEY, 'false,2019-03-14T09:12:00+00:00,N/A,N/A,N/A')}\n`;

    const signal = rootKeysFromCredentialReport(csv, generatedAt);

    expect(signal?.keys).toEqual([
      { maskedId: credentialReportKeyLabel(2), status: 'Inactive', createdAt: '2019-03-14T09:12:00.000Z' },
    ]);
  });

  it('finds no key when every key column of the root row is N/A', () => {
    const csv = `${HEADER}\r\n${rootRow(NO_KEY)}\r\n${userRow}\r\n`;

    const signal = rootKeysFromCredentialReport(csv, generatedAt);

    expect(signal).toEqual({ generatedAt, keys: [] });
  });

  it('ignores the access keys of IAM users: only the <root_account> row counts', () => {
    const csv = `${HEADER}\n${rootRow(NO_KEY)}\n${userRow}`;

    const signal = rootKeysFromCredentialReport(csv, generatedAt);

    expect(signal?.keys).toHaveLength(0);
  });

  it('returns undefined when the report has no <root_account> row', () => {
    const csv = `${HEADER}\n${userRow}\n`;

    expect(rootKeysFromCredentialReport(csv, generatedAt)).toBeUndefined();
  });

  it('reads both key slots when the root user has two keys', () => {
    const csv = `${HEADER}\n${rootRow('true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A', 'false,2022-02-02T00:00:00+00:00,2023-03-03T00:00:00+00:00,us-east-1,s3')}`;

    const keys = rootKeysFromCredentialReport(csv, generatedAt)?.keys ?? [];

    expect(keys.map((k) => [k.maskedId, k.status])).toEqual([
      [credentialReportKeyLabel(1), 'Active'],
      [credentialReportKeyLabel(2), 'Inactive'],
    ]);
    expect(keys[0].lastUsed).toBeUndefined();
    expect(keys[1].lastUsed).toEqual({ date: '2023-03-03T00:00:00.000Z', service: 's3', region: 'us-east-1' });
  });

  it('refuses text that is not a credential report', () => {
    expect(() => rootKeysFromCredentialReport('hello,world\n1,2', generatedAt)).toThrow(InvalidInputError);
    expect(() => rootKeysFromCredentialReport('', generatedAt)).toThrow(InvalidInputError);
  });
});

describe('parseCsv', () => {
  it('keeps commas and doubled quotes inside quoted fields', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\n1,2,3')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });

  it('maps each row to its header', () => {
    expect(parseCredentialReport('user,arn\n<root_account>,arn:aws:iam::1:root\n')).toEqual([
      { user: '<root_account>', arn: 'arn:aws:iam::1:root' },
    ]);
  });
});
