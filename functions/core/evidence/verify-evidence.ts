import {
  computeDigest,
  parseEvidenceIndexEntry,
  parseEvidenceRecord,
  recordBody,
  serializeIndexEntry,
  serializeRecord,
  type EvidenceIndexEntry,
  type EvidenceRecord,
} from './evidence-record';
import { indexPath, parseIndexPath, parseRecordPath, recordPath } from './evidence-layout';
import type { SignatureVerifier } from './evidence-signature';

/** A stored file as read back: its name relative to the evidence root and its text. */
export interface EvidenceFile {
  name: string;
  content: string;
}

/**
 * What can be wrong. Each kind says what an auditor needs to know:
 * - `unparseable`: not JSON, or not a record of the schema (named issues);
 * - `not-canonical`: the file is not the bytes that were written (edited, even if the JSON value is equal);
 * - `changed`: the content no longer hashes to its digest;
 * - `bad-signature` / `unknown-key`: the signature does not verify, or names a key that is not trusted;
 * - `reordered`: the file's name (case, sequence, type) disagrees with the record inside;
 * - `missing`: a chain position has no record (deleted, or never written after a crash);
 * - `duplicate` / `inserted`: two records claim one position, or a record is not in the account index;
 * - `broken-link`: a record's previous-digest does not name its predecessor;
 * - `index-mismatch`: the account index names a different record for a position;
 * - `incomplete`: a case has no outcome record (only a problem when completeness is required);
 * - `expected-digest-missing`: a digest known from elsewhere (Slack, Security Hub, the case store) is not here;
 * - `unexpected-file`: a file in the evidence folders that is not a record or index entry;
 * - `key-id-mismatch` / `ambiguous-key-id`: a published key file names an id not derived from its key,
 *   or two different keys claim one id (either could have signed what names it);
 * - `overwritten`: the store holds more than one version of an evidence object (S3 versioning): it was
 *   written over, and the verifier reads only the newest.
 */
export type EvidenceProblemKind =
  | 'unparseable'
  | 'not-canonical'
  | 'changed'
  | 'bad-signature'
  | 'unknown-key'
  | 'reordered'
  | 'missing'
  | 'duplicate'
  | 'inserted'
  | 'broken-link'
  | 'index-mismatch'
  | 'incomplete'
  | 'expected-digest-missing'
  | 'unexpected-file'
  | 'key-id-mismatch'
  | 'ambiguous-key-id'
  | 'overwritten';

/** One problem, naming the exact record: its file (existing or expected) and/or its chain positions. */
export interface EvidenceProblem {
  kind: EvidenceProblemKind;
  file?: string;
  caseId?: string;
  sequence?: number;
  accountId?: string;
  accountSequence?: number;
  message: string;
}

export interface CaseSummary {
  caseId: string;
  accountId: string;
  records: number;
  firstAt?: string;
  lastAt?: string;
  /** `data.status` of the case's last outcome record. */
  outcome?: string;
  /** The case has an outcome record. */
  complete: boolean;
  headDigest?: string;
}

export interface EvidenceVerification {
  ok: boolean;
  problems: EvidenceProblem[];
  /** Record files examined. */
  records: number;
  /** Records whose digest and signature both check out. */
  intactRecords: number;
  cases: CaseSummary[];
  caseChains: number;
  accountChains: number;
  signaturesValid: number;
  keyIds: string[];
  /**
   * Which key signed how many intact records, by fingerprint. Without a pin this is the only thing
   * that ties the evidence to a key: whoever can write the folder can also publish a key and re-sign.
   */
  signers: { keyId: string; fingerprint: string; records: number }[];
  /** Whether the trusted keys came from outside the evidence (a pin), not from the keys published beside it. */
  pinned: boolean;
}

export interface VerifyEvidenceInput {
  /** Record files (`cases/<caseId>/<seq>-<type>.json`). */
  records: EvidenceFile[];
  /** Account index files (`accounts/<accountId>/<n>.json`); omit only for evidence that has none. */
  index?: EvidenceFile[];
  verifySignature: SignatureVerifier;
  /** Check the per-account chains (default true). Off when only some cases' files are given, as for one case's report. */
  accountChains?: boolean;
  /** Report cases without an outcome record as problems rather than as open. */
  requireComplete?: boolean;
  /** Digests known from outside (Slack thread, Security Hub note, case store): each must be a record here. */
  expectedDigests?: string[];
  /** The verifier's keys come from a pin kept apart from the evidence (default false: published beside it). */
  pinned?: boolean;
}

interface Entry {
  file: string;
  record: EvidenceRecord;
  /** Digest recomputes and signature verifies. */
  intact: boolean;
  /** Fingerprint of the key whose signature verified. */
  signedBy?: string;
}

/**
 * Verifies evidence from its raw files alone, with nothing trusted but the signature verifier's keys:
 * recomputes every digest, checks every signature, walks each case's chain (sequence 1, 2, … and
 * `previousDigest`) and each account's chain across cases (`accountSequence`, `previousAccountDigest`),
 * and cross-checks the account index. Every problem names the record it is about.
 *
 * Removal is caught in layers: a record removed from the middle of a chain breaks that chain; the
 * last record of a case is usually followed by later records of the account (its account link
 * breaks); and the account index names every record, the very last one included, so a deleted file
 * is named even at the head. What files alone cannot show is a truncation that also removes the
 * matching index entries: then a case whose outcome vanished shows as open (a problem with
 * `requireComplete`), and `expectedDigests` — heads published outside the folder, as the Slack
 * thread and the Security Hub note are — catch the rest. In AWS, S3 Object Lock forbids the
 * deletion in the first place.
 */
export function verifyEvidence(input: VerifyEvidenceInput): EvidenceVerification {
  const problems: EvidenceProblem[] = [];
  const entries: Entry[] = [];
  const keyIds = new Set<string>();
  const signers = new Map<string, { keyId: string; fingerprint: string; records: number }>();
  let signaturesValid = 0;

  for (const file of [...input.records].sort((a, b) => a.name.localeCompare(b.name))) {
    const entry = examineRecordFile(file, input.verifySignature, problems);
    if (!entry) continue;
    entries.push(entry);
    if (entry.intact) {
      signaturesValid += 1;
      keyIds.add(entry.record.signature.keyId);
      const fingerprint = entry.signedBy ?? '';
      const signer = signers.get(`${entry.record.signature.keyId} ${fingerprint}`);
      if (signer) signer.records += 1;
      else
        signers.set(`${entry.record.signature.keyId} ${fingerprint}`, {
          keyId: entry.record.signature.keyId,
          fingerprint,
          records: 1,
        });
    }
  }

  const index = input.index === undefined ? undefined : readIndex(input.index, problems);
  const missingReported = new Set<string>();
  if (index) crossCheckIndex(index, entries, problems, missingReported);

  const byCase = groupBy(entries, (e) => e.record.caseId);
  const cases: CaseSummary[] = [];
  for (const [caseId, list] of byCase) {
    const chosen = checkChain(list, {
      position: (r) => r.sequence,
      previous: (r) => r.previousDigest,
      label: `case ${caseId}`,
      positionName: 'record',
      linkName: 'previousDigest',
      missingKey: (n) => `case:${caseId}#${n}`,
      missingProblem: (n) => ({ caseId, sequence: n, accountId: list[0].record.accountId }),
      indexDigest: (n) => index?.byCase.get(`${caseId}#${n}`)?.digest,
      problems,
      missingReported,
    });
    const accountIds = new Set(list.map((e) => e.record.accountId));
    if (accountIds.size > 1) {
      const first = chosen[0]?.record.accountId ?? list[0].record.accountId;
      for (const e of list.filter((x) => x.record.accountId !== first)) {
        problems.push({
          kind: 'reordered',
          ...at(e),
          message: `belongs to case ${caseId} of account ${first} but says account ${e.record.accountId}`,
        });
      }
    }
    cases.push(summarizeCase(caseId, chosen));
  }

  let accountChains = 0;
  if (input.accountChains !== false) {
    const byAccount = groupBy(entries, (e) => e.record.accountId);
    accountChains = byAccount.size;
    for (const [accountId, list] of byAccount) {
      checkChain(list, {
        position: (r) => r.accountSequence,
        previous: (r) => r.previousAccountDigest,
        label: `account ${accountId}`,
        positionName: 'account record',
        linkName: 'previousAccountDigest',
        missingKey: (n) => `account:${accountId}#${n}`,
        missingProblem: (n) => ({ accountId, accountSequence: n }),
        indexDigest: (n) => index?.byAccount.get(`${accountId}#${n}`)?.digest,
        problems,
        missingReported,
      });
    }
  }

  for (const summary of cases) {
    if (!summary.complete && input.requireComplete) {
      problems.push({
        kind: 'incomplete',
        caseId: summary.caseId,
        accountId: summary.accountId,
        message: `case ${summary.caseId} has no outcome record: still open, or its last records were removed`,
      });
    }
  }

  const intactDigests = new Set(entries.filter((e) => e.intact).map((e) => e.record.digest));
  for (const digest of input.expectedDigests ?? []) {
    if (!intactDigests.has(digest.toLowerCase())) {
      problems.push({
        kind: 'expected-digest-missing',
        message: `no intact record has the expected digest ${digest}: the record it names was removed or changed`,
      });
    }
  }

  cases.sort((a, b) => a.caseId.localeCompare(b.caseId));
  return {
    ok: problems.length === 0,
    problems: sortProblems(problems),
    records: input.records.length,
    intactRecords: entries.filter((e) => e.intact).length,
    cases,
    caseChains: byCase.size,
    accountChains,
    signaturesValid,
    keyIds: [...keyIds].sort(),
    signers: [...signers.values()].sort((a, b) => b.records - a.records || a.fingerprint.localeCompare(b.fingerprint)),
    pinned: input.pinned ?? false,
  };
}

/** One line an auditor can act on: where, then what. */
export function formatProblem(problem: EvidenceProblem): string {
  const where: string[] = [];
  if (problem.file) where.push(problem.file);
  if (problem.caseId !== undefined && problem.sequence !== undefined)
    where.push(`case ${problem.caseId} #${problem.sequence}`);
  else if (problem.caseId !== undefined) where.push(`case ${problem.caseId}`);
  if (problem.accountId !== undefined && problem.accountSequence !== undefined) {
    where.push(`account ${problem.accountId} #${problem.accountSequence}`);
  }
  return `${where.length ? `${where.join(', ')}: ` : ''}[${problem.kind}] ${problem.message}`;
}

function examineRecordFile(file: EvidenceFile, verifySignature: SignatureVerifier, problems: EvidenceProblem[]) {
  const named = parseRecordPath(file.name);
  if (!named) {
    problems.push({
      kind: 'unexpected-file',
      file: file.name,
      message: 'not a record file name (cases/<caseId>/<6-digit sequence>-<type>.json): renamed or added',
    });
  }
  const parsed = parseEvidenceRecord(file.content);
  if (!parsed.ok) {
    problems.push({
      kind: 'unparseable',
      file: file.name,
      ...(named ? { caseId: named.caseId, sequence: named.sequence } : {}),
      message: `not a valid evidence record: ${parsed.issues.slice(0, 5).join('; ')}`,
    });
    return undefined;
  }
  const record = parsed.value;
  const where = { file: file.name, caseId: record.caseId, sequence: record.sequence };
  let canonical: string;
  let digest: string;
  try {
    canonical = serializeRecord(record);
    digest = computeDigest(record);
  } catch (error) {
    // -0, a lone surrogate: JSON.parse accepts them, canonical JSON (RFC 8785, I-JSON) cannot hold them,
    // so rootkey never wrote this. Listed, and the record still takes its chain positions.
    problems.push({
      kind: 'not-canonical',
      ...where,
      message: `holds a value canonical JSON cannot represent (${(error as Error).message}): it was edited`,
    });
    return { file: file.name, record, intact: false };
  }
  let intact = true;
  let signedBy: string | undefined;
  if (canonical !== file.content) {
    intact = false;
    problems.push({
      kind: 'not-canonical',
      ...where,
      message: 'the file is not the canonical JSON that was written: it was edited',
    });
  }
  if (digest !== record.digest) {
    intact = false;
    problems.push({
      kind: 'changed',
      ...where,
      message: `content changed after it was recorded: it hashes to ${digest}, the record says ${record.digest}`,
    });
  } else {
    const check = verifySignature(record.signature, record.digest, recordBody(record));
    if (check.status === 'valid') signedBy = check.fingerprint;
    else {
      intact = false;
      problems.push({
        kind: check.status === 'unknown-key' ? 'unknown-key' : 'bad-signature',
        ...where,
        message:
          check.status === 'unknown-key'
            ? `signed by key ${check.keyId}, which is not a trusted evidence key`
            : check.reason,
      });
    }
  }
  if (named && (named.caseId !== record.caseId || named.sequence !== record.sequence || named.type !== record.type)) {
    problems.push({
      kind: 'reordered',
      ...where,
      message: `the file name says case ${named.caseId} #${named.sequence} (${named.type}) but it holds case ${record.caseId} #${record.sequence} (${record.type}): records were reordered, renamed or moved (expected at ${recordPath(record)})`,
    });
  }
  return { file: file.name, record, intact, signedBy };
}

interface ReadIndex {
  entries: { file: string; entry: EvidenceIndexEntry }[];
  byAccount: Map<string, EvidenceIndexEntry>;
  byCase: Map<string, EvidenceIndexEntry>;
}

function readIndex(files: EvidenceFile[], problems: EvidenceProblem[]): ReadIndex {
  const result: ReadIndex = { entries: [], byAccount: new Map(), byCase: new Map() };
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const named = parseIndexPath(file.name);
    const parsed = parseEvidenceIndexEntry(file.content);
    if (!parsed.ok) {
      problems.push({
        kind: 'unparseable',
        file: file.name,
        ...(named ?? {}),
        message: `not a valid account index entry: ${parsed.issues.slice(0, 5).join('; ')}`,
      });
      continue;
    }
    const entry = parsed.value;
    const where = { file: file.name, accountId: entry.accountId, accountSequence: entry.accountSequence };
    if (canonicalIndexEntry(entry) !== file.content) {
      problems.push({
        kind: 'not-canonical',
        ...where,
        message: 'the index entry is not the canonical JSON that was written: it was edited',
      });
    }
    if (!named || named.accountId !== entry.accountId || named.accountSequence !== entry.accountSequence) {
      problems.push({
        kind: 'reordered',
        ...where,
        message: `the index entry for account ${entry.accountId} #${entry.accountSequence} is stored under the wrong name (expected ${indexPath(entry)})`,
      });
    }
    const key = `${entry.accountId}#${entry.accountSequence}`;
    if (result.byAccount.has(key)) {
      problems.push({ kind: 'duplicate', ...where, message: `a second index entry for account ${key}` });
      continue;
    }
    result.entries.push({ file: file.name, entry });
    result.byAccount.set(key, entry);
    result.byCase.set(`${entry.caseId}#${entry.sequence}`, entry);
  }
  return result;
}

/** The entry's canonical text, or undefined when it holds a value canonical JSON refuses. */
function canonicalIndexEntry(entry: EvidenceIndexEntry): string | undefined {
  try {
    return serializeIndexEntry(entry);
  } catch {
    return undefined;
  }
}

function crossCheckIndex(
  index: ReadIndex,
  entries: Entry[],
  problems: EvidenceProblem[],
  missingReported: Set<string>,
) {
  const byAccountPosition = groupBy(entries, (e) => `${e.record.accountId}#${e.record.accountSequence}`);
  const byDigest = groupBy(entries, (e) => e.record.digest);
  for (const { file, entry } of index.entries) {
    const occupants = byAccountPosition.get(`${entry.accountId}#${entry.accountSequence}`) ?? [];
    const expectedFile = recordPath(entry);
    // The entry's digest names a record: every other field of the entry must say what that record says.
    for (const named of byDigest.get(entry.digest) ?? []) {
      const r = named.record;
      const differs = (
        [
          ['account', entry.accountId, r.accountId],
          ['account position', entry.accountSequence, r.accountSequence],
          ['case', entry.caseId, r.caseId],
          ['case sequence', entry.sequence, r.sequence],
          ['type', entry.type, r.type],
        ] as const
      ).filter(([, a, b]) => a !== b);
      if (differs.length) {
        problems.push({
          kind: 'index-mismatch',
          file,
          accountId: entry.accountId,
          accountSequence: entry.accountSequence,
          message: `the index entry names record ${named.file} by its digest but disagrees on ${differs.map(([what, a, b]) => `${what} (${String(a)} in the index, ${String(b)} in the record)`).join(', ')}: the index was edited`,
        });
      }
    }
    if (occupants.length === 0 && !byDigest.has(entry.digest)) {
      problems.push({
        kind: 'missing',
        file: expectedFile,
        caseId: entry.caseId,
        sequence: entry.sequence,
        accountId: entry.accountId,
        accountSequence: entry.accountSequence,
        message: `record ${entry.type} is listed in the account index (${file}) but the file is gone: deleted, or never written`,
      });
      missingReported.add(`case:${entry.caseId}#${entry.sequence}`);
      missingReported.add(`account:${entry.accountId}#${entry.accountSequence}`);
      continue;
    }
    for (const occupant of occupants) {
      if (occupant.record.digest === entry.digest) continue;
      problems.push({
        kind: 'index-mismatch',
        ...at(occupant),
        message: `the account index (${file}) names digest ${entry.digest} (case ${entry.caseId} #${entry.sequence}) for this position, the record here has ${occupant.record.digest}: replaced or inserted`,
      });
    }
  }
  for (const e of entries) {
    const indexed = index.byAccount.get(`${e.record.accountId}#${e.record.accountSequence}`);
    if (!indexed) {
      problems.push({
        kind: 'inserted',
        ...at(e),
        message: `not in the account index (${indexPath(e.record)} is absent): added after the fact, or its index entry was deleted`,
      });
    }
  }
}

interface ChainSpec {
  position: (r: EvidenceRecord) => number;
  previous: (r: EvidenceRecord) => string | null;
  label: string;
  positionName: string;
  linkName: string;
  missingKey: (n: number) => string;
  missingProblem: (n: number) => Partial<EvidenceProblem>;
  indexDigest: (n: number) => string | undefined;
  problems: EvidenceProblem[];
  missingReported: Set<string>;
}

/** Gaps longer than this are reported as one range: a forged huge sequence must not flood the report. */
const MAX_GAP_DETAIL = 20;

/** Walks one chain; returns the record chosen for each position, in order. */
function checkChain(list: Entry[], spec: ChainSpec): Entry[] {
  const byPosition = groupBy(list, (e) => spec.position(e.record));
  const positions = [...byPosition.keys()].sort((a, b) => a - b);
  const chosen = new Map<number, Entry>();
  let previousPosition = 0;
  for (const n of positions) {
    const here = byPosition.get(n) ?? [];
    const indexed = spec.indexDigest(n);
    const pick = here.find((e) => e.record.digest === indexed) ?? here.find((e) => e.intact) ?? here[0];
    reportGap(previousPosition, n, chosen.get(previousPosition), pick, spec);
    chosen.set(n, pick);
    for (const other of here.filter((e) => e !== pick)) {
      spec.problems.push({
        kind: 'duplicate',
        ...at(other),
        message: `${spec.label}: a second record claims ${spec.positionName} #${n} (the chain continues with ${pick.file}): inserted or replayed`,
      });
    }
    const link = spec.previous(pick.record);
    const prevEntry = chosen.get(n - 1);
    if (n === 1 && link !== null) {
      spec.problems.push({
        kind: 'broken-link',
        ...at(pick),
        message: `${spec.label}: the first ${spec.positionName} must have ${spec.linkName} null, it has ${link}: records before it were removed`,
      });
    } else if (n > 1 && prevEntry && link !== prevEntry.record.digest) {
      spec.problems.push({
        kind: 'broken-link',
        ...at(pick),
        message: `${spec.label}: ${spec.linkName} ${link ?? 'null'} does not name the previous ${spec.positionName} (${prevEntry.file}, digest ${prevEntry.record.digest}): a record was replaced, inserted or reordered`,
      });
    }
    previousPosition = n;
  }
  return [...chosen.values()];
}

function reportGap(from: number, to: number, before: Entry | undefined, after: Entry, spec: ChainSpec): void {
  const missing = to - from - 1;
  if (missing <= 0) return;
  const gap = describeGap(before, after);
  if (missing > MAX_GAP_DETAIL) {
    spec.problems.push({
      kind: 'missing',
      ...spec.missingProblem(from + 1),
      message: `${spec.label}: ${spec.positionName}s #${from + 1} to #${to - 1} are missing${gap}: deleted, never written, or a forged position`,
    });
    return;
  }
  for (let n = from + 1; n < to; n += 1) {
    if (spec.missingReported.has(spec.missingKey(n))) continue;
    spec.missingReported.add(spec.missingKey(n));
    spec.problems.push({
      kind: 'missing',
      ...spec.missingProblem(n),
      message: `${spec.label}: ${spec.positionName} #${n} is missing${gap}: deleted, or never written`,
    });
  }
}

function describeGap(before: Entry | undefined, after: Entry | undefined): string {
  if (before && after) return ` (between ${before.file} and ${after.file})`;
  if (after) return ` (before ${after.file})`;
  if (before) return ` (after ${before.file})`;
  return '';
}

function summarizeCase(caseId: string, chain: Entry[]): CaseSummary {
  const records = chain.map((e) => e.record);
  const outcomes = records.filter((r) => r.type === 'outcome');
  const lastOutcome = outcomes[outcomes.length - 1];
  const status = lastOutcome?.data.status;
  return {
    caseId,
    accountId: records[0]?.accountId ?? '',
    records: records.length,
    firstAt: records[0]?.at,
    lastAt: records[records.length - 1]?.at,
    outcome: typeof status === 'string' ? status : lastOutcome ? 'recorded' : undefined,
    complete: outcomes.length > 0,
    headDigest: records[records.length - 1]?.digest,
  };
}

function at(e: Entry): Partial<EvidenceProblem> {
  return {
    file: e.file,
    caseId: e.record.caseId,
    sequence: e.record.sequence,
    accountId: e.record.accountId,
    accountSequence: e.record.accountSequence,
  };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function sortProblems(problems: EvidenceProblem[]): EvidenceProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.caseId ?? '').localeCompare(b.caseId ?? '') ||
      (a.sequence ?? 0) - (b.sequence ?? 0) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      a.kind.localeCompare(b.kind),
  );
}
