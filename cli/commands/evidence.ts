import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as KmsSdk from '@aws-sdk/client-kms';
import type * as S3Store from '../../functions/adapters/aws/s3-blob-store';
import type * as KmsSigner from '../../functions/adapters/aws/kms-signer';
import { EXIT, UsageError, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';
import { CaseNotFoundError } from '../../functions/core/errors';
import { SAFE_CASE_ID, parseEvidenceRecord } from '../../functions/core/evidence/evidence-record';
import {
  normalizeFingerprint,
  parsePublicKeyFile,
  type TrustedKey,
} from '../../functions/core/evidence/evidence-signature';
import { formatProblem } from '../../functions/core/evidence/verify-evidence';
import { INDEX_DIR, RECORDS_DIR } from '../../functions/core/evidence/evidence-layout';
import { FileBlobStore } from '../../functions/adapters/local/file-blob-store';
import type { EvidenceStorePort } from '../../functions/ports/evidence-store';
import { BlobEvidenceStore } from '../../functions/services/blob-evidence-store';
import { createLocalEvidence } from '../../local-runner/local-evidence';
import {
  readTrustedKeys,
  verifyEvidenceSnapshot,
  type StoredEvidenceVerification,
} from '../../functions/services/verify-stored-evidence';

export const EVIDENCE_HELP = `Usage: rootkey evidence verify PATH [--public-key FILE ... | --kms-key-id KEY ... | --fingerprint FP ...]
                             [--require-complete] [--expect-digest DIGEST ...] [--json]
       rootkey evidence report CASE [--data-dir DIR] [--format md|html] [--out FILE]

verify   Recomputes every record's SHA-256 digest, walks each case's hash chain and each
         account's hash chain across cases, cross-checks the account index and checks every
         signature. PATH is a data directory (.rootkey), its evidence folder (.rootkey/evidence)
         or an S3 location (s3://bucket/prefix).
  --public-key FILE     Pin: trust only this public key (PEM; repeat for several).
  --kms-key-id KEY      Pin (S3 evidence): trust this KMS signing key, fetched with kms:GetPublicKey.
  --fingerprint FP      Pin: trust only published keys with this SHA-256 fingerprint (sha256:HEX or
                        HEX), or FP is a pin file holding one fingerprint a line (# comments).
                        Keep pins away from the evidence: whoever can write the evidence folder can
                        publish another key and re-sign every record.
                        Without a pin the published public-key*.pem are trusted and the verdict says
                        the key is UNPINNED, naming the fingerprint that signed each record count.
  --require-complete    Every case must end with an outcome record (open cases fail).
  --expect-digest D     A digest published elsewhere (Slack thread, Security Hub note, case
                        store) that must be an intact record here. Repeatable.
  --json                One JSON document instead of text.

report   Prints a case's report (Markdown or self-contained HTML) for auditors.
  --data-dir DIR        Data directory (default ./.rootkey); evidence is read from DIR/evidence.
  --fingerprint FP      Pin the signing key as for verify (the report says whether it was pinned).
  --format md|html      Default md.
  --out FILE            Write the report to FILE instead of standard output.

Exit codes: 0 intact (verify) or report written, 1 tampered or broken evidence, or a runtime
error, 2 usage error (missing PATH, PATH does not exist, no evidence there, unknown case).`;

/** Version of the `--json` document; bumped only when a field changes meaning or disappears. */
export const EVIDENCE_JSON_SCHEMA_VERSION = 1;

const VERIFY_FLAGS = {
  'public-key': { type: 'string', multiple: true },
  'kms-key-id': { type: 'string', multiple: true },
  fingerprint: { type: 'string', multiple: true },
  'require-complete': { type: 'boolean' },
  'expect-digest': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const REPORT_FLAGS = {
  'data-dir': { type: 'string' },
  fingerprint: { type: 'string', multiple: true },
  format: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const digestSchema = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a digest is 64 hex characters');

/** `rootkey evidence verify|report`: see {@link EVIDENCE_HELP}. */
export async function evidenceCommand(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(`${EVIDENCE_HELP}\n`);
    return sub === undefined ? EXIT.usageError : EXIT.ok;
  }
  if (sub === 'verify') return verifyCommand(rest, io);
  if (sub === 'report') return reportCommand(rest, io);
  throw new UsageError(`unknown subcommand '${sub}' (expected verify or report)`);
}

async function verifyCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, VERIFY_FLAGS, true);
  if (values.help) {
    io.stdout.write(`${EVIDENCE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'missing PATH (a data directory, evidence folder or s3://bucket/prefix)'
        : `one PATH expected, got ${positionals.length}`,
    );
  }
  const expectedDigests = (values['expect-digest'] ?? []).map((d) => {
    const parsed = digestSchema.safeParse(d);
    if (!parsed.success) throw new UsageError(`--expect-digest ${d}: ${parsed.error.issues[0].message}`);
    return d.toLowerCase();
  });
  const pinned = await readPinnedKeys(values['public-key'] ?? []);
  const fingerprints = await readPinnedFingerprints(values.fingerprint ?? []);
  const pinKinds = [pinned.length, values['kms-key-id']?.length ?? 0, fingerprints.length].filter((n) => n > 0);
  if (pinKinds.length > 1) throw new UsageError('pin the key one way: --public-key, --kms-key-id or --fingerprint');
  const target = positionals[0];

  let result: StoredEvidenceVerification;
  if (target.startsWith('s3://')) {
    result = await verifyS3(target, pinned, values['kms-key-id'] ?? [], {
      requireComplete: values['require-complete'],
      expectedDigests,
      pinnedFingerprints: fingerprints,
    });
  } else {
    if (values['kms-key-id']?.length) throw new UsageError('--kms-key-id applies to s3:// locations only');
    const store = new BlobEvidenceStore(new FileBlobStore(findEvidenceDir(target)));
    result = verifyEvidenceSnapshot(await store.snapshot(), store.location, {
      trustedKeys: pinned.length ? pinned : undefined,
      pinnedFingerprints: fingerprints,
      requireComplete: values['require-complete'],
      expectedDigests,
    });
  }
  if (result.records === 0 && result.problems.length === 0) {
    throw new UsageError(`no evidence records under ${result.location}`);
  }
  io.stdout.write(values.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : formatVerification(result));
  return result.ok ? EXIT.ok : EXIT.runtimeError;
}

async function reportCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, REPORT_FLAGS, true);
  if (values.help) {
    io.stdout.write(`${EVIDENCE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? 'missing CASE (a case id)' : `one CASE expected, got ${positionals.length}`,
    );
  const format = values.format ?? 'md';
  if (format !== 'md' && format !== 'html') throw new UsageError(`--format must be md or html, not '${format}'`);
  const dataDir = resolve(values['data-dir'] ?? '.rootkey');
  if (!existsSync(dataDir)) throw new UsageError(`data directory ${dataDir} does not exist`);
  const caseId = positionals[0];
  // The case id becomes a folder name under the evidence root: `../..` must never reach outside it.
  if (!SAFE_CASE_ID.test(caseId)) {
    throw new UsageError(
      `'${caseId.slice(0, 140)}' is not a case id (letters, digits, ".", "_", "-", starting with a letter or digit)`,
    );
  }
  const pinnedFingerprints = await readPinnedFingerprints(values.fingerprint ?? []);
  const evidence = createLocalEvidence(dataDir);
  let rendered: Awaited<ReturnType<typeof evidence.renderReport>>;
  try {
    rendered = await evidence.renderReport(caseId, { pinnedFingerprints });
  } catch (error) {
    if (error instanceof CaseNotFoundError)
      throw new UsageError(`no evidence for case ${caseId} under ${evidence.location}`);
    throw error;
  }
  const text = format === 'md' ? rendered.markdown : rendered.html;
  if (values.out) {
    const out = resolve(values.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, text, 'utf8');
    io.stdout.write(`Wrote ${out}\n`);
  } else {
    io.stdout.write(text);
  }
  if (!rendered.integrity.ok) {
    io.stderr.write(
      `rootkey evidence report: case ${caseId} does NOT verify (${rendered.integrity.problems.length} problem(s)); the report lists them\n`,
    );
  }
  return EXIT.ok;
}

/** `.rootkey` or `.rootkey/evidence` (or any folder holding `cases/` or `accounts/`). */
function findEvidenceDir(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${path} does not exist`);
  if (!statSync(full).isDirectory()) throw new UsageError(`${path} is not a folder`);
  const holdsEvidence = (dir: string) => existsSync(join(dir, RECORDS_DIR)) || existsSync(join(dir, INDEX_DIR));
  if (holdsEvidence(full)) return full;
  if (holdsEvidence(join(full, 'evidence'))) return join(full, 'evidence');
  throw new UsageError(`no evidence under ${path} (expected ${RECORDS_DIR}/ or evidence/${RECORDS_DIR}/)`);
}

/**
 * `--fingerprint` values: a fingerprint (`sha256:HEX`, `HEX`), or a pin file holding one a line
 * (blank lines and `#` comments allowed). Returned as lower-case hex.
 */
async function readPinnedFingerprints(values: string[]): Promise<string[]> {
  const pins: string[] = [];
  for (const value of values) {
    const direct = normalizeFingerprint(value);
    if (direct) {
      pins.push(direct);
      continue;
    }
    let content: string;
    try {
      content = await readFile(value, 'utf8');
    } catch {
      throw new UsageError(`--fingerprint ${value}: neither a SHA-256 fingerprint (64 hex) nor a readable pin file`);
    }
    const lines = content
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter((l) => l.length > 0);
    if (lines.length === 0) throw new UsageError(`--fingerprint ${value}: the pin file holds no fingerprint`);
    for (const line of lines) {
      const pin = normalizeFingerprint(line);
      if (!pin) throw new UsageError(`--fingerprint ${value}: '${line.slice(0, 80)}' is not a SHA-256 fingerprint`);
      pins.push(pin);
    }
  }
  return [...new Set(pins)];
}

async function readPinnedKeys(files: string[]): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const file of files) {
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch {
      throw new UsageError(`--public-key ${file}: cannot read the file`);
    }
    try {
      keys.push(parsePublicKeyFile(content, file));
    } catch (error) {
      throw new UsageError(`--public-key ${file}: ${(error as Error).message}`);
    }
  }
  return keys;
}

async function verifyS3(
  uri: string,
  pinned: TrustedKey[],
  kmsKeyIds: string[],
  options: { requireComplete?: boolean; expectedDigests: string[]; pinnedFingerprints: string[] },
): Promise<StoredEvidenceVerification> {
  // Loaded here so that local verification never pays for the AWS SDK (see cli/main.ts on `require`).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { S3Client } = require('@aws-sdk/client-s3') as typeof S3Sdk;
  const { KMSClient } = require('@aws-sdk/client-kms') as typeof KmsSdk;
  const { S3BlobStore } = require('../../functions/adapters/aws/s3-blob-store') as typeof S3Store;
  const { fetchKmsPublicKey } = require('../../functions/adapters/aws/kms-signer') as typeof KmsSigner;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { bucket, prefix } = S3BlobStore.parseUri(uri);
  const store: EvidenceStorePort = new BlobEvidenceStore(new S3BlobStore({ client: new S3Client({}), bucket, prefix }));
  const snapshot = await store.snapshot();
  const kms = new KMSClient({});
  if (kmsKeyIds.length) {
    // Pinned: KMS itself says which public key belongs to the key id.
    const fetched = await Promise.all(kmsKeyIds.map((id) => fetchKmsPublicKey(kms, id)));
    return verifyEvidenceSnapshot(snapshot, store.location, { ...options, trustedKeys: [...pinned, ...fetched] });
  }
  if (pinned.length) return verifyEvidenceSnapshot(snapshot, store.location, { ...options, trustedKeys: pinned });
  if (readTrustedKeys(snapshot.publicKeys).keys.length > 0 || options.pinnedFingerprints.length > 0) {
    return verifyEvidenceSnapshot(snapshot, store.location, options);
  }
  // Nothing pinned or published: the KMS keys the records name are fetched, but that is not a pin (a
  // record can name any key its writer controls), so the verdict still says unpinned.
  const named = await Promise.all(
    kmsKeyIdsIn(snapshot.records.map((f) => f.content)).map((id) => fetchKmsPublicKey(kms, id)),
  );
  const result = verifyEvidenceSnapshot(snapshot, store.location, { ...options, trustedKeys: named });
  return { ...result, pinned: false };
}

function kmsKeyIdsIn(contents: string[]): string[] {
  const ids = new Set<string>();
  for (const content of contents) {
    const parsed = parseEvidenceRecord(content);
    if (parsed.ok && parsed.value.signature.keyId.startsWith('arn:aws')) ids.add(parsed.value.signature.keyId);
  }
  return [...ids];
}

/** `key pinned` / `key unpinned`, with the fingerprint that signed each record count: the verdict's second half. */
export function describeSigners(r: Pick<StoredEvidenceVerification, 'pinned' | 'signers'>): string {
  const counts = r.signers.map(
    (s, i) =>
      `${s.records}${i === 0 ? ` record${s.records === 1 ? '' : 's'} signed by` : ' by'} sha256:${s.fingerprint}`,
  );
  const signed = counts.length ? counts.join(', ') : 'no record signed by a trusted key';
  return `key ${r.pinned ? 'pinned' : 'UNPINNED'} (${signed})`;
}

function formatVerification(r: StoredEvidenceVerification): string {
  const lines: string[] = [];
  const open = r.cases.filter((c) => !c.complete);
  lines.push(
    `Evidence at ${r.location}: ${r.ok ? 'INTACT' : `TAMPERED OR BROKEN (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})`}, ${describeSigners(r)}`,
  );
  if (!r.ok) {
    lines.push('', 'Problems:');
    for (const p of r.problems) lines.push(`  ${formatProblem(p)}`);
    lines.push('');
  }
  lines.push(`  cases:      ${r.cases.length} (${r.cases.length - open.length} closed, ${open.length} open)`);
  lines.push(`  records:    ${r.records} (${r.intactRecords} intact)`);
  lines.push(
    `  chains:     ${r.caseChains} case chain${r.caseChains === 1 ? '' : 's'}, ${r.accountChains} account chain${r.accountChains === 1 ? '' : 's'}${r.ok ? ', all links OK' : ''}`,
  );
  lines.push(
    `  signatures: ${r.signaturesValid} OK${r.signaturesValid < r.records ? `, ${r.records - r.signaturesValid} not verified` : ''}`,
  );
  for (const k of r.trustedKeys) lines.push(`  key:        ${k.keyId} sha256:${k.fingerprint} (${k.source})`);
  if (r.trustedKeys.length === 0) lines.push('  key:        none trusted (no public key published or given)');
  if (!r.pinned) {
    lines.push(
      '  pin:        none. The keys above were read from beside the evidence, so anyone who can write it can re-sign it:',
      '              compare the fingerprints with a pin kept elsewhere, or pass --fingerprint / --public-key / --kms-key-id',
    );
  }
  if (r.versionsUnchecked) lines.push(`  versions:   not checked for overwrites (${r.versionsUnchecked})`);
  for (const c of open)
    lines.push(`  open case:  ${c.caseId} (no outcome record yet, last event ${c.lastAt ?? 'unknown'})`);
  return `${lines.join('\n')}\n`;
}

function toJson(r: StoredEvidenceVerification) {
  return {
    schemaVersion: EVIDENCE_JSON_SCHEMA_VERSION,
    location: r.location,
    ok: r.ok,
    problems: r.problems,
    records: r.records,
    intactRecords: r.intactRecords,
    caseChains: r.caseChains,
    accountChains: r.accountChains,
    signaturesValid: r.signaturesValid,
    pinned: r.pinned,
    signers: r.signers,
    ...(r.versionsUnchecked ? { versionsUnchecked: r.versionsUnchecked } : {}),
    cases: r.cases,
    trustedKeys: r.trustedKeys.map(({ keyId, fingerprint, source }) => ({ keyId, fingerprint, source })),
  };
}
