import fc from 'fast-check';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceConflictError, InvalidInputError } from '../../../functions/core/errors';
import type { EvidenceRecord } from '../../../functions/core/evidence/evidence-record';
import { LocalSigner } from '../../../functions/adapters/local/local-signer';
import type { EvidenceEvent, EvidenceEventType } from '../../../functions/ports/evidence-recorder';
import type { EvidenceStorePort } from '../../../functions/ports/evidence-store';
import { EvidenceService } from '../../../functions/services/evidence-service';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { ACCOUNTS, caseIdFor } from '../../support/evidence/evidence-fixture';
import { useTempDir } from '../../support/evidence/temp-dir';
import { fileEvidenceStore } from '../../support/evidence/evidence-stores';

const clock = { now: () => new Date('2026-11-28T10:00:00.000Z') };
const dataDir = useTempDir();

function event(
  caseId: string,
  accountId: string,
  type: EvidenceEventType,
  data: Record<string, unknown> = {},
): EvidenceEvent {
  return { caseId, accountId, type, at: clock.now().toISOString(), data };
}

/** Chain invariants every store must hold, checked on what is on disk. */
function expectChains(records: EvidenceRecord[]) {
  const byCase = groupBy(records, (r) => r.caseId);
  for (const list of byCase.values()) {
    const sorted = [...list].sort((a, b) => a.sequence - b.sequence);
    expect(sorted.map((r) => r.sequence)).toEqual(sorted.map((_, i) => i + 1));
    sorted.forEach((r, i) => expect(r.previousDigest).toBe(i === 0 ? null : sorted[i - 1].digest));
  }
  const byAccount = groupBy(records, (r) => r.accountId);
  for (const list of byAccount.values()) {
    const sorted = [...list].sort((a, b) => a.accountSequence - b.accountSequence);
    expect(sorted.map((r) => r.accountSequence)).toEqual(sorted.map((_, i) => i + 1));
    sorted.forEach((r, i) => expect(r.previousAccountDigest).toBe(i === 0 ? null : sorted[i - 1].digest));
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

async function allRecords(service: EvidenceService, caseIds: string[]): Promise<EvidenceRecord[]> {
  return (await Promise.all(caseIds.map((c) => service.readCase(c)))).flat();
}

describe('EvidenceService', () => {
  it('records an event with its chain positions, digest, signature and location', async () => {
    const evidence = createLocalEvidence(dataDir(), { clock });
    const caseId = caseIdFor(ACCOUNTS[0], 1);

    const first = await evidence.record(event(caseId, ACCOUNTS[0], 'detection', { accountName: 'prod' }));
    const second = await evidence.record(event(caseId, ACCOUNTS[0], 'outcome', { status: 'compliant' }));

    expect(first).toEqual({
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      sequence: 1,
      location: join(dataDir(), 'evidence', 'cases', caseId, '000001-detection.json'),
    });
    expect(second.sequence).toBe(2);
    const [, stored] = await evidence.readCase(caseId);
    expect(stored).toMatchObject({
      previousDigest: first.digest,
      previousAccountDigest: first.digest,
      accountSequence: 2,
      recordedAt: '2026-11-28T10:00:00.000Z',
      signature: { algorithm: 'ED25519', keyId: expect.stringMatching(/^local-ed25519-/) },
    });
    expect((await evidence.verify()).ok).toBe(true);
  });

  it('chains records per case and per account across interleaved cases', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ account: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 1,
          maxLength: 10,
        }),
        async (picks) => {
          const dir = await mkdtemp(join(tmpdir(), 'rootkey-evidence-prop-'));
          try {
            const evidence = createLocalEvidence(dir, { clock });
            for (const p of picks) {
              await evidence.record(event(caseIdFor(ACCOUNTS[p.account], p.n), ACCOUNTS[p.account], 'action'));
            }
            const caseIds = [...new Set(picks.map((p) => caseIdFor(ACCOUNTS[p.account], p.n)))];
            const records = await allRecords(evidence, caseIds);
            expect(records).toHaveLength(picks.length);
            expectChains(records);
            const verification = await evidence.verify();
            expect(verification.problems).toEqual([]);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('serializes concurrent appends in one process so that no position is used twice', async () => {
    const evidence = createLocalEvidence(dataDir(), { clock });
    const caseIds = [1, 2, 3].map((n) => caseIdFor(ACCOUNTS[0], n));

    await Promise.all(
      Array.from({ length: 24 }, (_, i) => evidence.record(event(caseIds[i % 3], ACCOUNTS[0], 'action', { i }))),
    );

    const records = await allRecords(evidence, caseIds);
    expect(records).toHaveLength(24);
    expectChains(records);
    expect((await evidence.verify()).ok).toBe(true);
  });

  it('keeps the chains intact when two processes append to one account at the same time', async () => {
    // Prepare: two services over one folder have separate locks, as two Lambda invocations would.
    const one = createLocalEvidence(dataDir(), { clock });
    const two = createLocalEvidence(dataDir(), { clock });
    const caseId = caseIdFor(ACCOUNTS[1], 1);

    // Act
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? one : two).record(event(caseId, ACCOUNTS[1], 'decision', { userId: `U${i}` })),
      ),
    );

    // Assess
    const records = await one.readCase(caseId);
    expect(records).toHaveLength(16);
    expectChains(records);
    expect((await one.verify()).ok).toBe(true);
  });

  it('retries with fresh heads when another process took the position first', async () => {
    // Prepare: a store double that lets a competing writer append just before our first append.
    const caseId = caseIdFor(ACCOUNTS[0], 1);
    const competitor = createLocalEvidence(dataDir(), { clock });
    const racing = new CompetingWriterStore(fileEvidenceStore(dataDir()), () =>
      competitor.record(event(caseId, ACCOUNTS[0], 'reminder', { reminderNumber: 1 })).then(() => undefined),
    );
    const evidence = new EvidenceService({ store: racing, signer: new LocalSigner(dataDir()), clock });

    // Act
    const recorded = await evidence.record(event(caseId, ACCOUNTS[0], 'escalation'));

    // Assess
    const records = await evidence.readCase(caseId);
    expect(records.map((r) => r.type)).toEqual(['reminder', 'escalation']);
    expect(recorded.sequence).toBe(2);
    expect(records[1].previousDigest).toBe(records[0].digest);
    expect(racing.appendCalls).toBe(2);
  });

  it('gives up with EvidenceConflictError when other writers keep winning', async () => {
    const store = new AlwaysTakenStore(fileEvidenceStore(dataDir()));
    const evidence = new EvidenceService({
      store,
      signer: new LocalSigner(dataDir()),
      clock,
      maxAttempts: 3,
      backoff: async () => undefined,
    });

    await expect(evidence.record(event(caseIdFor(ACCOUNTS[0], 1), ACCOUNTS[0], 'detection'))).rejects.toBeInstanceOf(
      EvidenceConflictError,
    );
    expect(store.appendCalls).toBe(3);
  });

  it('never stores task tokens or secrets, however they are nested', async () => {
    const evidence = createLocalEvidence(dataDir(), { clock });
    const caseId = caseIdFor(ACCOUNTS[0], 1);

    const recorded = await evidence.record(
      event(caseId, ACCOUNTS[0], 'approval-requested', {
        requiredApprovals: 1,
        taskToken: 'AAAAKgAAAAIAAAAAAAAAAQ-task-token',
        pendingTask: { kind: 'approval', token: 'AAAAKgAAAAIAAAAA-pending' },
        slack: { botToken: 'xoxb-0000-bot', signingSecret: 'signing-secret-value', channel: 'C0123' },
      }),
    );

    const text = await readFile(recorded.location, 'utf8');
    expect(text).not.toMatch(/task-token|AAAAKgAAAAIAAAAA-pending|xoxb|signing-secret-value/);
    const [stored] = await evidence.readCase(caseId);
    expect(stored.data).toEqual({
      requiredApprovals: 1,
      pendingTask: { kind: 'approval' },
      slack: { channel: 'C0123' },
    });
  });

  it.each([
    ['an account id that is not 12 digits', event(caseIdFor(ACCOUNTS[0], 1), '1234', 'detection')],
    ['a case id that could escape the folder', event('../../etc', ACCOUNTS[0], 'detection')],
    ['an unknown event type', event(caseIdFor(ACCOUNTS[0], 1), ACCOUNTS[0], 'deleted' as EvidenceEventType)],
    ['a time that is not a date', { ...event(caseIdFor(ACCOUNTS[0], 1), ACCOUNTS[0], 'detection'), at: 'yesterday' }],
    [
      'a decision whose expiry is not a date',
      event(caseIdFor(ACCOUNTS[0], 1), ACCOUNTS[0], 'decision', { expiresAt: 'later' }),
    ],
    [
      'a verification whose result is not a boolean',
      event(caseIdFor(ACCOUNTS[0], 1), ACCOUNTS[0], 'verification', { gone: 'yes' }),
    ],
  ])('rejects %s and writes nothing', async (_label, bad) => {
    const evidence = createLocalEvidence(dataDir(), { clock });

    await expect(evidence.record(bad)).rejects.toBeInstanceOf(InvalidInputError);

    await expect(readdir(join(dataDir(), 'evidence', 'cases'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to add a record of a case under another account', async () => {
    const evidence = createLocalEvidence(dataDir(), { clock });
    const caseId = caseIdFor(ACCOUNTS[0], 1);
    await evidence.record(event(caseId, ACCOUNTS[0], 'detection'));

    await expect(evidence.record(event(caseId, ACCOUNTS[1], 'outcome'))).rejects.toThrow(
      /belongs to account 111111111111/,
    );
    expect(await evidence.readCase(caseId)).toHaveLength(1);
  });

  it('writes the case report as Markdown and HTML beside the evidence', async () => {
    const evidence = createLocalEvidence(dataDir(), { clock });
    const caseId = caseIdFor(ACCOUNTS[0], 1);
    // Data as the workflow writes it (core/evidence/evidence-data.ts): the report reads it through those schemas.
    await evidence.record(
      event(caseId, ACCOUNTS[0], 'detection', {
        trigger: { source: 'manual', accountId: ACCOUNTS[0], detectedAt: '2026-11-28T10:00:00.000Z' },
        posture: {
          account: { id: ACCOUNTS[0], name: 'payments-prod' },
          status: 'NON_COMPLIANT',
          reason: 'One active root access key.',
          method: 'assume-root-audit',
          keys: [{ maskedId: 'AKIA************0042', status: 'Active' }],
          removalPaths: ['assume-root-delete'],
          checkedAt: '2026-11-28T10:00:00.000Z',
        },
        requiredApprovals: 1,
      }),
    );
    await evidence.record(
      event(caseId, ACCOUNTS[0], 'decision', {
        event: 'decided',
        vote: { userId: 'U1', userName: 'alice', action: 'delete', at: '2026-11-28T10:00:00.000Z' },
        requiredApprovals: 1,
        votes: 1,
      }),
    );
    await evidence.record(event(caseId, ACCOUNTS[0], 'outcome', { status: 'remediated', summary: 'Key deleted.' }));

    const written = await evidence.writeReport(caseId);

    expect(written).toEqual({
      markdown: join(dataDir(), 'evidence', 'reports', `${caseId}.md`),
      html: join(dataDir(), 'evidence', 'reports', `${caseId}.html`),
    });
    const markdown = await readFile(written.markdown, 'utf8');
    expect(markdown).toContain('111111111111 (payments-prod)');
    expect(markdown).toContain('**Intact.**');
    expect(markdown).toContain('alice (U1)');
    expect(await readFile(written.html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect((await evidence.verify()).ok).toBe(true); // reports are not evidence files
  });

  it('rewrites the report when the case moves on', async () => {
    const evidence = createLocalEvidence(dataDir(), { clock });
    const caseId = caseIdFor(ACCOUNTS[0], 1);
    await evidence.record(event(caseId, ACCOUNTS[0], 'detection'));
    await evidence.writeReport(caseId);
    await evidence.record(event(caseId, ACCOUNTS[0], 'outcome', { status: 'remediated', summary: 'Key deleted.' }));

    const { markdown } = await evidence.writeReport(caseId);

    expect(await readFile(markdown, 'utf8')).toContain('| Outcome | remediated — Key deleted. |');
  });
});

/** Store double: before the first append, a competing writer appends to the same folder. */
class CompetingWriterStore implements EvidenceStorePort {
  appendCalls = 0;
  private raced = false;
  constructor(
    private readonly inner: EvidenceStorePort,
    private readonly compete: () => Promise<void>,
  ) {}
  get location() {
    return this.inner.location;
  }
  async append(record: EvidenceRecord) {
    this.appendCalls += 1;
    if (!this.raced) {
      this.raced = true;
      await this.compete();
    }
    return this.inner.append(record);
  }
  caseHead = (caseId: string) => this.inner.caseHead(caseId);
  accountHead = (accountId: string) => this.inner.accountHead(accountId);
  indexEntries = (accountId: string, from: number, to: number) => this.inner.indexEntries(accountId, from, to);
  listCaseFiles = (caseId: string) => this.inner.listCaseFiles(caseId);
  listAccountFiles = (accountId: string) => this.inner.listAccountFiles(accountId);
  listCaseIndexFiles = (caseId: string, accountId: string) => this.inner.listCaseIndexFiles(caseId, accountId);
  listPublicKeyFiles = () => this.inner.listPublicKeyFiles();
  publishPublicKey: EvidenceStorePort['publishPublicKey'] = (key) => this.inner.publishPublicKey(key);
  snapshot = () => this.inner.snapshot();
  writeReport: EvidenceStorePort['writeReport'] = (caseId, report) => this.inner.writeReport(caseId, report);
}

/** Store double whose every append finds the position taken. */
class AlwaysTakenStore extends CompetingWriterStore {
  constructor(inner: EvidenceStorePort) {
    super(inner, async () => undefined);
  }
  override async append(record: EvidenceRecord): Promise<{ location: string }> {
    this.appendCalls += 1;
    throw new EvidenceConflictError(`position ${record.accountSequence} taken`);
  }
}
