import { isAccountId } from '../core/account';
import { CaseNotFoundError, EvidenceConflictError, InvalidInputError } from '../core/errors';
import {
  EVIDENCE_DATA_SCHEMAS,
  EVIDENCE_EVENT_TYPES,
  SAFE_CASE_ID,
  buildUnsignedRecord,
  computeDigest,
  parseEvidenceRecord,
  sanitizeEvidenceData,
  type EvidenceRecord,
} from '../core/evidence/evidence-record';
import { createSignatureVerifier, publicKeyFingerprint, type TrustedKey } from '../core/evidence/evidence-signature';
import { verifyEvidence, type EvidenceVerification } from '../core/evidence/verify-evidence';
import type { CaseReportInput } from '../core/evidence/case-report';
import { systemClock, type ClockPort } from '../ports/clock';
import type { EvidenceEvent, EvidenceRecorderPort, RecordedEvidence } from '../ports/evidence-recorder';
import type { EvidenceSignerPort } from '../ports/evidence-signer';
import type { EvidenceStorePort } from '../ports/evidence-store';
import { readTrustedKeys, verifyStoredEvidence, type StoredEvidenceVerification } from './verify-stored-evidence';

/** Renders a case report (core/evidence/case-report.ts); injected so that only report writers bundle it. */
export interface CaseReportRenderers {
  markdown: (input: CaseReportInput) => string;
  html: (input: CaseReportInput) => string;
}

export interface EvidenceServiceOptions {
  store: EvidenceStorePort;
  signer: EvidenceSignerPort;
  clock?: ClockPort;
  /** Attempts per record while other processes keep taking the account position first (default 10). */
  maxAttempts?: number;
  /** Waits before attempt `attempt` (2, 3, …); default: a short random delay so that racing writers spread out. */
  backoff?: (attempt: number) => Promise<void>;
  /** The report renderers; without them `writeReport`/`renderReport` refuse (EvidenceService has them). */
  reports?: CaseReportRenderers;
}

function jitteredBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * How many of the newest account index entries are searched for a record of the case that another
 * process has claimed but not yet written. The claim and the write are milliseconds apart, so more
 * than a few writers in that window for one account would be needed to escape it.
 */
const IN_FLIGHT_WINDOW = 8;

/**
 * Records hash-chained, signed evidence (the EvidenceRecorderPort) and writes the case reports.
 *
 * Each record gets the next position in its case's chain and in its account's chain, the digests of
 * both predecessors, a SHA-256 digest over its canonical body and a signature over that digest. In
 * one process, appends for an account run one at a time (a tiny async mutex); between processes the
 * store's exclusive create decides, and the loser reads the new heads and tries again.
 */
export class EvidenceServiceBase implements EvidenceRecorderPort {
  private readonly store: EvidenceStorePort;
  private readonly signer: EvidenceSignerPort;
  private readonly clock: ClockPort;
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;
  private readonly locks = new KeyedMutex();
  private published = false;
  private readonly reports: CaseReportRenderers | undefined;

  constructor(options: EvidenceServiceOptions) {
    this.store = options.store;
    this.signer = options.signer;
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.backoff = options.backoff ?? jitteredBackoff;
    this.reports = options.reports;
  }

  /** Where the evidence lives (folder or s3:// URI). */
  get location(): string {
    return this.store.location;
  }

  /**
   * Appends one event. Data members named like a token or secret are dropped before hashing, so a
   * caller's slip (a task token in `data`) never becomes permanent evidence. Bad input throws
   * InvalidInputError and writes nothing.
   */
  async record(event: EvidenceEvent): Promise<RecordedEvidence> {
    const checked = validateEvent(event);
    return this.locks.run(`account:${checked.accountId}`, () =>
      this.locks.run(`case:${checked.caseId}`, () => this.append(checked)),
    );
  }

  /** Writes (or rewrites) the case's Markdown and HTML reports; returns their locations. */
  async writeReport(caseId: string): Promise<{ html: string; markdown: string }> {
    assertCaseId(caseId);
    const { markdown, html } = await this.renderReport(caseId);
    return this.store.writeReport(caseId, { markdown, html });
  }

  /**
   * Builds the case's reports without storing them, with the case's records verified first: with the
   * keys published beside the evidence (the report then says the key is unpinned), or only those
   * whose fingerprint is pinned.
   */
  async renderReport(
    caseId: string,
    options: { pinnedFingerprints?: string[] } = {},
  ): Promise<{ markdown: string; html: string; integrity: EvidenceVerification }> {
    const reports = this.reports;
    if (!reports) throw new Error('This evidence service renders no reports: build it with `reports`');
    assertCaseId(caseId);
    const files = await this.store.listCaseFiles(caseId);
    const records = parseAll(files.map((f) => f.content));
    if (files.length === 0 || records.length === 0) throw new CaseNotFoundError(caseId);
    const index = await this.store.listCaseIndexFiles(caseId, records[0].accountId);
    const published = readTrustedKeys(await this.store.listPublicKeyFiles());
    const pins = options.pinnedFingerprints ?? [];
    const keys = (published.keys.length > 0 ? published.keys : [await this.signer.publicKey()]).filter(
      (k) => pins.length === 0 || pins.includes(publicKeyFingerprint(k.publicKeyPem)),
    );
    const verified = verifyEvidence({
      records: files,
      index,
      verifySignature: createSignatureVerifier(keys),
      accountChains: false, // only this case's files are here; `verify()` walks the account chains
      pinned: pins.length > 0,
    });
    const problems = [...verified.problems, ...published.problems];
    const integrity = { ...verified, problems, ok: problems.length === 0 };
    const input = {
      caseId,
      records,
      integrity,
      generatedAt: this.clock.now().toISOString(),
      evidenceLocation: this.store.location,
    };
    return { markdown: reports.markdown(input), html: reports.html(input), integrity };
  }

  /** A case's records as stored (unparseable files left out), in sequence order. */
  async readCase(caseId: string): Promise<EvidenceRecord[]> {
    assertCaseId(caseId);
    return parseAll((await this.store.listCaseFiles(caseId)).map((f) => f.content));
  }

  /**
   * Verifies everything in the store with the published keys (the signer's own key when none is
   * published). Those keys come from the store itself, so the result says the key is unpinned.
   */
  async verify(
    options: { requireComplete?: boolean; expectedDigests?: string[] } = {},
  ): Promise<StoredEvidenceVerification> {
    const result = await verifyStoredEvidence(this.store, { ...options, trustedKeys: await this.trustedKeys() });
    return { ...result, pinned: false };
  }

  /**
   * The keys published beside the evidence; the signer's key only when none is published yet (asking
   * a local signer would otherwise create a key just to read a report).
   */
  private async trustedKeys(): Promise<TrustedKey[]> {
    const published = readTrustedKeys(await this.store.listPublicKeyFiles()).keys;
    return published.length > 0 ? published : [await this.signer.publicKey()];
  }

  private async append(event: EvidenceEvent): Promise<RecordedEvidence> {
    if (!this.published) {
      await this.store.publishPublicKey(await this.signer.publicKey());
      this.published = true;
    }
    for (let attempt = 1; ; attempt += 1) {
      const heads = await this.heads(event.caseId, event.accountId);
      const unsigned = buildUnsignedRecord({
        ...event,
        ...heads,
        recordedAt: this.clock.now().toISOString(),
      });
      const digest = computeDigest(unsigned);
      const record: EvidenceRecord = { ...unsigned, digest, signature: await this.signer.sign(digest) };
      try {
        const { location } = await this.store.append(record);
        return { digest, sequence: record.sequence, location };
      } catch (error) {
        if (!(error instanceof EvidenceConflictError) || attempt >= this.maxAttempts) throw error;
      }
      await this.backoff(attempt + 1);
    }
  }

  /**
   * The next positions and predecessor digests. The account head is read first: any record of this
   * case written after that read also takes an account position after it, so the append would collide
   * instead of forking the case chain. Records of the case that another process has claimed but not
   * yet written are found in the newest index entries.
   */
  private async heads(caseId: string, accountId: string) {
    const account = await this.store.accountHead(accountId);
    let caseHead = await this.store.caseHead(caseId);
    if (caseHead && caseHead.accountId !== accountId) {
      throw new InvalidInputError(`Case ${caseId} belongs to account ${caseHead.accountId}, not ${accountId}`);
    }
    const caseAccountSequence = caseHead?.accountSequence ?? 0;
    if (account && account.accountSequence > caseAccountSequence) {
      const from = Math.max(caseAccountSequence + 1, account.accountSequence - IN_FLIGHT_WINDOW + 1);
      const claimed = (await this.store.indexEntries(accountId, from, account.accountSequence))
        .filter((e) => e.caseId === caseId && e.sequence > (caseHead?.sequence ?? 0))
        .pop();
      if (claimed) caseHead = { ...claimed };
    }
    return {
      sequence: (caseHead?.sequence ?? 0) + 1,
      previousDigest: caseHead?.digest ?? null,
      accountSequence: (account?.accountSequence ?? 0) + 1,
      previousAccountDigest: account?.digest ?? null,
    };
  }
}

function assertCaseId(caseId: string): void {
  if (typeof caseId !== 'string' || !SAFE_CASE_ID.test(caseId)) {
    throw new InvalidInputError(`Not a case id: ${String(caseId).slice(0, 140)}`, [
      'caseId: letters, digits, ".", "_", "-" only, up to 128 characters',
    ]);
  }
}

function validateEvent(event: EvidenceEvent): EvidenceEvent {
  const issues: string[] = [];
  if (typeof event.caseId !== 'string' || !SAFE_CASE_ID.test(event.caseId)) {
    issues.push('caseId: letters, digits, ".", "_", "-" only, up to 128 characters');
  }
  if (typeof event.accountId !== 'string' || !isAccountId(event.accountId)) issues.push('accountId: 12 digits');
  if (!EVIDENCE_EVENT_TYPES.includes(event.type)) issues.push(`type: one of ${EVIDENCE_EVENT_TYPES.join(', ')}`);
  if (typeof event.at !== 'string' || Number.isNaN(Date.parse(event.at))) issues.push('at: an ISO-8601 date');
  if (!event.data || typeof event.data !== 'object' || Array.isArray(event.data)) issues.push('data: an object');
  if (issues.length) throw new InvalidInputError(`Invalid evidence event: ${issues.join('; ')}`, issues);

  const { data } = sanitizeEvidenceData(event.data);
  const parsed = EVIDENCE_DATA_SCHEMAS[event.type].safeParse(data);
  if (!parsed.success) {
    const dataIssues = parsed.error.issues.map((i) => `data.${i.path.join('.')}: ${i.message}`);
    throw new InvalidInputError(`Invalid ${event.type} evidence: ${dataIssues.join('; ')}`, dataIssues);
  }
  return { caseId: event.caseId, accountId: event.accountId, type: event.type, at: event.at, data };
}

function parseAll(contents: string[]): EvidenceRecord[] {
  return contents
    .map((c) => parseEvidenceRecord(c))
    .flatMap((p) => (p.ok ? [p.value] : []))
    .sort((a, b) => a.sequence - b.sequence);
}

/** Runs tasks with the same key one after another, in call order. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
