import { createHash } from 'node:crypto';
import { canonicalize } from '../../../../functions/core/evidence/canonical-json';
import {
  EVIDENCE_SCHEMA_VERSION,
  buildUnsignedRecord,
  computeDigest,
  parseEvidenceRecord,
  recordBody,
  sanitizeEvidenceData,
  serializeRecord,
} from '../../../../functions/core/evidence/evidence-record';
import { COMPLIANCE_REFERENCES } from '../../../../functions/core/compliance-references';
import { signRecord, testSigningKey } from '../../../support/evidence/evidence-fixture';

const key = testSigningKey();

function sampleRecord(data: Record<string, unknown> = { userId: 'U123', userName: 'alice', action: 'delete' }) {
  return signRecord(
    key,
    buildUnsignedRecord({
      caseId: 'RK-111111111111-20261128100000-ab1z',
      accountId: '111111111111',
      type: 'decision',
      at: '2026-11-28T10:00:00.000Z',
      recordedAt: '2026-11-28T10:00:01.000Z',
      data,
      sequence: 2,
      accountSequence: 7,
      previousDigest: 'a'.repeat(64),
      previousAccountDigest: 'b'.repeat(64),
    }),
  );
}

describe('evidence records', () => {
  it('computes the digest as SHA-256 over the canonical JSON of the record without digest and signature', () => {
    const record = sampleRecord();
    const { digest: _d, signature: _s, ...body } = record;

    expect(record.digest).toBe(createHash('sha256').update(canonicalize(body), 'utf8').digest('hex'));
    expect(recordBody(record)).not.toContain('"digest"');
    expect(recordBody(record)).not.toContain('"signature"');
    expect(computeDigest(record)).toBe(record.digest);
  });

  it('carries the schema version, both chain links and the compliance references', () => {
    const record = sampleRecord();

    expect(record).toMatchObject({
      schemaVersion: EVIDENCE_SCHEMA_VERSION,
      sequence: 2,
      accountSequence: 7,
      previousDigest: 'a'.repeat(64),
      previousAccountDigest: 'b'.repeat(64),
    });
    expect(record.complianceReferences.map((r) => r.control)).toEqual(COMPLIANCE_REFERENCES.map((r) => r.control));
  });

  it('reads back exactly the record it serialized', () => {
    const record = sampleRecord();

    const parsed = parseEvidenceRecord(serializeRecord(record));

    expect(parsed).toEqual({ ok: true, value: record });
  });

  it.each([
    ['an unknown top-level member', (r: Record<string, unknown>) => ({ ...r, extra: 1 })],
    ['a missing signature', ({ signature: _s, ...r }: Record<string, unknown>) => r],
    ['an upper-case digest', (r: Record<string, unknown>) => ({ ...r, digest: 'A'.repeat(64) })],
    ['sequence 0', (r: Record<string, unknown>) => ({ ...r, sequence: 0 })],
    ['an unsafe case id', (r: Record<string, unknown>) => ({ ...r, caseId: '../../etc' })],
    ['an 11-digit account', (r: Record<string, unknown>) => ({ ...r, accountId: '11111111111' })],
    ['a decision whose expiry is not a date', (r: Record<string, unknown>) => ({ ...r, data: { expiresAt: 'soon' } })],
    [
      'a signature that is not canonical base64',
      (r: Record<string, unknown>) => ({
        ...r,
        signature: { ...(r.signature as object), value: `${(r.signature as { value: string }).value.slice(0, -3)}!==` },
      }),
    ],
  ])('refuses %s when reading a record back', (_label, edit) => {
    const json = JSON.stringify(edit(sampleRecord() as unknown as Record<string, unknown>));

    const parsed = parseEvidenceRecord(json);

    expect(parsed.ok).toBe(false);
  });

  it('explains why a file is not a record', () => {
    expect(parseEvidenceRecord('{"schemaVersion":')).toEqual({
      ok: false,
      issues: [expect.stringMatching(/^not JSON/)],
    });
  });
});

describe('sanitizeEvidenceData', () => {
  it('drops task tokens, session tokens and secrets wherever they are nested, and says where', () => {
    const { data, removed } = sanitizeEvidenceData({
      taskToken: 'AQCEAAAAKgAAAAMAAAAA',
      pendingTask: { kind: 'approval', token: 'AQCEtoken' },
      credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'wJalr', SessionToken: 'FwoG' },
      slack: { signingSecret: 'abc', botToken: 'xoxb-1', channel: 'C1' },
      message: 'xoxb-123-456-secret-looking-value',
      keyId: 'AKIA************0042',
      rootPasswordKnown: false,
    });

    expect(data).toEqual({
      pendingTask: { kind: 'approval' },
      credentials: { AccessKeyId: 'ASIAEXAMPLE' },
      slack: { channel: 'C1' },
      keyId: 'AKIA************0042',
      rootPasswordKnown: false,
    });
    expect(removed.sort()).toEqual(
      [
        'data.taskToken',
        'data.pendingTask.token',
        'data.credentials.SecretAccessKey',
        'data.credentials.SessionToken',
        'data.slack.signingSecret',
        'data.slack.botToken',
        'data.message',
      ].sort(),
    );
  });

  it('turns values JSON cannot hold faithfully into ones it can, so that recording never fails on them', () => {
    const { data } = sanitizeEvidenceData({
      when: new Date('2026-11-28T10:00:00Z'),
      error: new TypeError('boom'),
      nan: NaN,
      inf: Infinity,
      minusZero: -0,
      big: 12n,
      fn: () => 1,
      undef: undefined,
      list: [1, undefined, 'ok'],
      lone: 'a\ud800b',
    });

    expect(data).toEqual({
      when: '2026-11-28T10:00:00.000Z',
      error: { name: 'TypeError', message: 'boom' },
      nan: null,
      inf: null,
      minusZero: 0,
      big: '12',
      list: [1, null, 'ok'],
      lone: 'a\ufffdb',
    });
    expect(() => canonicalize(data)).not.toThrow();
  });
});
