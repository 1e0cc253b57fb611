import fc from 'fast-check';
import {
  verifyEvidence,
  formatProblem,
  type EvidenceFile,
  type EvidenceProblem,
} from '../../../../functions/core/evidence/verify-evidence';
import { buildUnsignedRecord, serializeRecord } from '../../../../functions/core/evidence/evidence-record';
import { recordPath } from '../../../../functions/core/evidence/evidence-layout';
import type { EvidenceEventType } from '../../../../functions/ports/evidence-recorder';
import {
  ACCOUNTS,
  buildEvidence,
  caseIdFor,
  signRecord,
  testSigningKey,
  type BuiltEvidence,
  type FixtureEvent,
} from '../../../support/evidence/evidence-fixture';

const key = testSigningKey();
const TYPES: EvidenceEventType[] = ['detection', 'decision', 'action', 'verification', 'finding-update'];

/** Interleaved events of up to three cases in each of two accounts, every case ending with an outcome. */
const interleavedEvents = fc
  .array(
    fc.record({
      account: fc.integer({ min: 0, max: 1 }),
      n: fc.integer({ min: 1, max: 3 }),
      type: fc.constantFrom(...TYPES),
    }),
    { minLength: 2, maxLength: 14 },
  )
  .map((picks) => {
    const events: FixtureEvent[] = picks.map((p) => ({
      caseId: caseIdFor(ACCOUNTS[p.account], p.n),
      accountId: ACCOUNTS[p.account],
      type: p.type,
    }));
    const cases = [...new Map(events.map((e) => [e.caseId, e])).values()];
    return [...events, ...cases.map((c) => ({ ...c, type: 'outcome' as const }))];
  });

function verify(evidence: Pick<BuiltEvidence, 'recordFiles' | 'indexFiles' | 'verifier'>, extra = {}) {
  return verifyEvidence({
    records: evidence.recordFiles,
    index: evidence.indexFiles,
    verifySignature: evidence.verifier,
    ...extra,
  });
}

function names(problems: EvidenceProblem[], file: string, caseId?: string, sequence?: number): boolean {
  return problems.some(
    (p) => p.file === file || (caseId !== undefined && p.caseId === caseId && p.sequence === sequence),
  );
}

describe('verifyEvidence', () => {
  it('passes untouched evidence of interleaved cases and counts its chains', () => {
    fc.assert(
      fc.property(interleavedEvents, (events) => {
        const evidence = buildEvidence(events, key);

        const result = verify(evidence, { requireComplete: true });

        expect(result.problems).toEqual([]);
        expect(result.ok).toBe(true);
        expect(result.records).toBe(events.length);
        expect(result.signaturesValid).toBe(events.length);
        expect(result.caseChains).toBe(new Set(events.map((e) => e.caseId)).size);
        expect(result.accountChains).toBe(new Set(events.map((e) => e.accountId)).size);
        expect(result.cases.every((c) => c.complete)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('fails on any changed byte in any record file and names that file', () => {
    fc.assert(
      fc.property(
        interleavedEvents,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (events, fileSeed, offsetSeed, byte) => {
          const evidence = buildEvidence(events, key);
          const target = evidence.recordFiles[fileSeed % evidence.recordFiles.length];
          const bytes = Buffer.from(target.content, 'utf8');
          const offset = offsetSeed % bytes.length;
          fc.pre(bytes[offset] !== byte);
          bytes[offset] = byte;
          const changed = bytes.toString('utf8');
          fc.pre(changed !== target.content);
          const recordFiles = evidence.recordFiles.map((f) => (f === target ? { ...f, content: changed } : f));

          const result = verify({ ...evidence, recordFiles });

          expect(result.ok).toBe(false);
          expect(result.problems.some((p) => p.file === target.name)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails on a removed record, the last of its chains included, and names the record', () => {
    fc.assert(
      fc.property(interleavedEvents, fc.nat(), (events, seed) => {
        const evidence = buildEvidence(events, key);
        const removed = evidence.records[seed % evidence.records.length];
        const name = recordPath(removed);

        const result = verify({ ...evidence, recordFiles: evidence.recordFiles.filter((f) => f.name !== name) });

        expect(result.ok).toBe(false);
        expect(names(result.problems, name, removed.caseId, removed.sequence)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('fails when two records of a case swap places and names both files', () => {
    fc.assert(
      fc.property(interleavedEvents, fc.nat(), fc.nat(), (events, a, b) => {
        const evidence = buildEvidence(events, key);
        const first = evidence.recordFiles[a % evidence.recordFiles.length];
        const sameCase = evidence.recordFiles.filter(
          (f) => f !== first && f.name.split('/')[1] === first.name.split('/')[1],
        );
        fc.pre(sameCase.length > 0);
        const second = sameCase[b % sameCase.length];
        const recordFiles = evidence.recordFiles.map((f) =>
          f === first ? { ...f, content: second.content } : f === second ? { ...f, content: first.content } : f,
        );

        const result = verify({ ...evidence, recordFiles });

        expect(result.ok).toBe(false);
        expect(names(result.problems, first.name)).toBe(true);
        expect(names(result.problems, second.name)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('fails on an inserted copy of a record and names the inserted file', () => {
    fc.assert(
      fc.property(interleavedEvents, fc.nat(), fc.integer({ min: 1, max: 30 }), (events, seed, position) => {
        const evidence = buildEvidence(events, key);
        const copied = evidence.records[seed % evidence.records.length];
        const name = recordPath({ ...copied, sequence: position, type: 'action' });
        fc.pre(!evidence.recordFiles.some((f) => f.name === name));
        const recordFiles = [...evidence.recordFiles, { name, content: serializeRecord(copied) }];

        const result = verify({ ...evidence, recordFiles });

        expect(result.ok).toBe(false);
        expect(names(result.problems, name)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('fails on a forged record that is correctly chained and signed but absent from the account index', () => {
    // Prepare: an attacker holding the signing key appends a record after a case's last one.
    const events = [
      { caseId: caseIdFor(ACCOUNTS[0], 1), accountId: ACCOUNTS[0], type: 'detection' as const },
      { caseId: caseIdFor(ACCOUNTS[0], 1), accountId: ACCOUNTS[0], type: 'outcome' as const },
    ];
    const evidence = buildEvidence(events, key);
    const last = evidence.records[1];
    const forged = signRecord(
      key,
      buildUnsignedRecord({
        ...last,
        type: 'decision',
        data: { userId: 'U999', action: 'accept-risk' },
        sequence: 3,
        accountSequence: 3,
        previousDigest: last.digest,
        previousAccountDigest: last.digest,
      }),
    );
    const name = recordPath(forged);

    // Act
    const result = verify({
      ...evidence,
      recordFiles: [...evidence.recordFiles, { name, content: serializeRecord(forged) }],
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'inserted', file: name })]);
  });

  it('fails on records signed by an untrusted key and says so', () => {
    const evidence = buildEvidence(
      [{ caseId: caseIdFor(ACCOUNTS[0], 1), accountId: ACCOUNTS[0], type: 'detection' }],
      testSigningKey(),
    );

    const result = verify({ ...evidence, verifier: buildEvidence([], key).verifier });

    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'unknown-key', file: evidence.recordFiles[0].name }),
    ]);
  });

  it('links each account chain across its cases: removing a case’s last record and its index entry leaves a gap named by its neighbours', () => {
    // Prepare: case 1 ends, case 2 of the same account starts afterwards.
    const [one, two] = [caseIdFor(ACCOUNTS[0], 1), caseIdFor(ACCOUNTS[0], 2)];
    const evidence = buildEvidence(
      [
        { caseId: one, accountId: ACCOUNTS[0], type: 'detection' },
        { caseId: one, accountId: ACCOUNTS[0], type: 'outcome' },
        { caseId: two, accountId: ACCOUNTS[0], type: 'detection' },
      ],
      key,
    );
    const removed = evidence.records[1];

    // Act
    const result = verify({
      ...evidence,
      recordFiles: evidence.recordFiles.filter((f) => f.name !== recordPath(removed)),
      indexFiles: evidence.indexFiles.slice(0, 1).concat(evidence.indexFiles.slice(2)),
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'missing',
        accountId: ACCOUNTS[0],
        accountSequence: 2,
        message: expect.stringContaining(`between ${evidence.recordFiles[0].name} and ${evidence.recordFiles[2].name}`),
      }),
    ]);
  });

  describe('when the newest records and their index entries are both removed', () => {
    const caseId = caseIdFor(ACCOUNTS[1], 1);
    const evidence = buildEvidence(
      [
        { caseId, accountId: ACCOUNTS[1], type: 'detection' },
        { caseId, accountId: ACCOUNTS[1], type: 'outcome' },
      ],
      key,
    );
    const truncated = {
      ...evidence,
      recordFiles: evidence.recordFiles.slice(0, 1),
      indexFiles: evidence.indexFiles.slice(0, 1),
    };

    it('shows the case as open, which is a problem when completeness is required', () => {
      const lenient = verify(truncated);
      const strict = verify(truncated, { requireComplete: true });

      expect(lenient.ok).toBe(true);
      expect(lenient.cases).toEqual([expect.objectContaining({ caseId, complete: false })]);
      expect(strict.ok).toBe(false);
      expect(strict.problems).toEqual([expect.objectContaining({ kind: 'incomplete', caseId })]);
    });

    it('fails against a head digest published elsewhere', () => {
      const result = verify(truncated, { expectedDigests: [evidence.records[1].digest] });

      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([expect.objectContaining({ kind: 'expected-digest-missing' })]);
    });
  });

  it('fails when a record is replaced by another validly signed one, naming the record after it', () => {
    // Prepare: the middle record of a case is re-signed with different data (the attacker has the key).
    const caseId = caseIdFor(ACCOUNTS[0], 1);
    const evidence = buildEvidence(
      ['detection', 'decision', 'outcome'].map((type) => ({
        caseId,
        accountId: ACCOUNTS[0],
        type: type as EvidenceEventType,
      })),
      key,
    );
    const replaced = signRecord(
      key,
      buildUnsignedRecord({ ...evidence.records[1], data: { userId: 'U666', action: 'accept-risk' } }),
    );
    const recordFiles = evidence.recordFiles.map((f, i) =>
      i === 1 ? { ...f, content: serializeRecord(replaced) } : f,
    );

    // Act
    const result = verify({ ...evidence, recordFiles });

    // Assess: the index and the next record both still name the original.
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'index-mismatch', file: evidence.recordFiles[1].name }),
        expect.objectContaining({ kind: 'broken-link', file: evidence.recordFiles[2].name }),
      ]),
    );
  });

  it('reports a file with a wrong name shape instead of ignoring it', () => {
    const evidence = buildEvidence(
      [{ caseId: caseIdFor(ACCOUNTS[0], 1), accountId: ACCOUNTS[0], type: 'detection' }],
      key,
    );
    const stray: EvidenceFile = { name: `cases/${caseIdFor(ACCOUNTS[0], 1)}/notes.txt`, content: 'hello' };

    const result = verify({ ...evidence, recordFiles: [...evidence.recordFiles, stray] });

    expect(result.problems.map((p) => [p.kind, p.file])).toEqual([
      ['unexpected-file', stray.name],
      ['unparseable', stray.name],
    ]);
  });

  it('reports a forged huge sequence as one range rather than millions of lines', () => {
    const evidence = buildEvidence(
      [{ caseId: caseIdFor(ACCOUNTS[0], 1), accountId: ACCOUNTS[0], type: 'detection' }],
      key,
    );
    const record = evidence.records[0];
    const far = signRecord(key, buildUnsignedRecord({ ...record, sequence: 5_000_000, accountSequence: 5_000_000 }));

    const result = verify({
      ...evidence,
      recordFiles: [...evidence.recordFiles, { name: recordPath(far), content: serializeRecord(far) }],
    });

    expect(result.ok).toBe(false);
    expect(result.problems.length).toBeLessThan(10);
  });

  it('formats a problem with the file and chain positions first', () => {
    const line = formatProblem({
      kind: 'changed',
      file: 'cases/RK-1/000003-action.json',
      caseId: 'RK-1',
      sequence: 3,
      accountId: '111111111111',
      accountSequence: 9,
      message: 'content changed',
    });

    expect(line).toBe(
      'cases/RK-1/000003-action.json, case RK-1 #3, account 111111111111 #9: [changed] content changed',
    );
  });
});
