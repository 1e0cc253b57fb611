import { createHash } from 'node:crypto';
import * as z from '../zod-mini';
import { isAccountId } from '../account';
import { COMPLIANCE_REFERENCES, type ComplianceReference } from '../compliance-references';
import { canonicalize } from './canonical-json';

/** Bump only with a migration note: verifiers dispatch on it. */
export const EVIDENCE_SCHEMA_VERSION = 'rootkey.evidence/v1';
/** Schema of the per-account index entries that serialize appends (see evidence-layout.ts). */
export const EVIDENCE_INDEX_SCHEMA_VERSION = 'rootkey.evidence-index/v1';

/** Kinds of case events that leave an evidence record. */
export type EvidenceEventType =
  | 'detection'
  | 'approval-requested'
  | 'reminder'
  | 'escalation'
  | 'decision'
  | 'action'
  | 'runbook-step'
  | 'verification'
  | 'finding-update'
  | 'outcome'
  /** Prevention after the outcome: the offer, its approval and what changed (SCP attached, credentials deleted). */
  | 'guardrail';

export const EVIDENCE_EVENT_TYPES: readonly EvidenceEventType[] = [
  'detection',
  'approval-requested',
  'reminder',
  'escalation',
  'decision',
  'action',
  'runbook-step',
  'verification',
  'finding-update',
  'outcome',
  'guardrail',
];

/**
 * `ED25519`: Ed25519 over the 32 digest bytes (the local signer).
 * `ECDSA_SHA_256`: ECDSA P-256 whose SHA-256 input is the record body, i.e. the digest is what the
 * curve signs (AWS KMS `Sign` with `MessageType: 'DIGEST'`).
 */
export type SignatureAlgorithm = 'ED25519' | 'ECDSA_SHA_256';
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ED25519', 'ECDSA_SHA_256'];

export interface EvidenceSignature {
  algorithm: SignatureAlgorithm;
  /** KMS key ARN, or `local-ed25519-<fingerprint>` for the local key. */
  keyId: string;
  /** Base64 (standard alphabet, padded) signature bytes; DER for ECDSA. */
  value: string;
}

/** Everything the digest covers. */
export interface UnsignedEvidenceRecord {
  schemaVersion: typeof EVIDENCE_SCHEMA_VERSION;
  caseId: string;
  accountId: string;
  type: EvidenceEventType;
  /** Position in the case's chain, from 1. */
  sequence: number;
  /** Position in the account's chain (all cases of the account), from 1. */
  accountSequence: number;
  /** Digest of the case's previous record; null for the first. */
  previousDigest: string | null;
  /** Digest of the account's previous record (possibly of another case); null for the first. */
  previousAccountDigest: string | null;
  /** When the event happened (as the caller says). */
  at: string;
  /** When the record was written. */
  recordedAt: string;
  data: Record<string, unknown>;
  complianceReferences: ComplianceReference[];
}

/** One evidence record as stored: the body plus its digest and the signature over that digest. */
export interface EvidenceRecord extends UnsignedEvidenceRecord {
  /** SHA-256 (lower-case hex) of the RFC 8785 canonical JSON of the record without `digest` and `signature`. */
  digest: string;
  signature: EvidenceSignature;
}

/** One entry of an account's index: claims an account chain position for one record. */
export interface EvidenceIndexEntry {
  schemaVersion: typeof EVIDENCE_INDEX_SCHEMA_VERSION;
  accountId: string;
  accountSequence: number;
  caseId: string;
  sequence: number;
  type: EvidenceEventType;
  digest: string;
}

// ---- Event data: documented fields are typed when present; extra fields are kept (loose). ----

/** Who decided what: one approver's vote, or the decision that reached the workflow (`core/case.ts` Decision). */
export interface DecisionEvidenceData {
  userId?: string;
  userName?: string;
  action?: string;
  at?: string;
  reason?: string;
  expiresAt?: string;
  approvers?: { userId: string; userName?: string; action?: string; at?: string }[];
  decidedAt?: string;
  approvedKeys?: string[];
}

/** One AWS call made on the account. `outcome` (ActionRecord) or `result` say how it went. */
export interface ActionEvidenceData {
  api?: string;
  requestId?: string;
  outcome?: string;
  result?: string;
  keyId?: string;
  error?: string | { name?: string; message?: string };
}

/** One verification read: which signals were read, their values, and when. */
export interface VerificationEvidenceData {
  attempt?: number;
  gone?: boolean;
  method?: string;
  signals?: Record<string, unknown>;
  readAt?: string;
}

export interface OutcomeEvidenceData {
  status?: string;
  summary?: string;
  error?: { name?: string; message?: string };
}

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date'));
const text = z.string();
const errorDetail = z.union([z.string(), z.looseObject({ name: z.optional(text), message: z.optional(text) })]);
const approverRef = z.looseObject({ userId: text, userName: z.optional(text), action: z.optional(text) });

/** The versioned schema of each event's `data`. */
export const EVIDENCE_DATA_SCHEMAS: Record<EvidenceEventType, z.ZodMiniType<Record<string, unknown>>> = {
  detection: z.looseObject({
    accountName: z.optional(text),
    status: z.optional(text),
    reason: z.optional(text),
    method: z.optional(text),
    keys: z.optional(z.array(z.looseObject({ maskedId: z.optional(text), status: z.optional(text) }))),
    removalPaths: z.optional(z.array(text)),
  }),
  'approval-requested': z.looseObject({ requiredApprovals: z.optional(z.number()), channel: z.optional(text) }),
  reminder: z.looseObject({ reminderNumber: z.optional(z.number()) }),
  escalation: z.looseObject({ reminderNumber: z.optional(z.number()) }),
  decision: z.looseObject({
    userId: z.optional(text),
    userName: z.optional(text),
    action: z.optional(text),
    at: z.optional(isoDate),
    reason: z.optional(text),
    expiresAt: z.optional(isoDate),
    approvers: z.optional(z.array(approverRef)),
    decidedAt: z.optional(isoDate),
    approvedKeys: z.optional(z.array(text)),
  }),
  action: z.looseObject({
    api: z.optional(text),
    requestId: z.optional(text),
    outcome: z.optional(text),
    result: z.optional(text),
    keyId: z.optional(text),
    error: z.optional(errorDetail),
  }),
  'runbook-step': z.looseObject({ stepId: z.optional(text), title: z.optional(text) }),
  verification: z.looseObject({
    attempt: z.optional(z.number()),
    gone: z.optional(z.boolean()),
    method: z.optional(text),
    signals: z.optional(z.record(z.string(), z.unknown())),
    readAt: z.optional(isoDate),
  }),
  'finding-update': z.looseObject({ status: z.optional(text), updated: z.optional(z.boolean()) }),
  outcome: z.looseObject({
    status: z.optional(text),
    summary: z.optional(text),
    error: z.optional(errorDetail),
  }),
  guardrail: z.looseObject({
    event: z.optional(text),
    actions: z.optional(z.array(text)),
    approvers: z.optional(z.array(approverRef)),
    policyId: z.optional(text),
    targetId: z.optional(text),
    newlyCovered: z.optional(z.array(text)),
    changes: z.optional(z.array(text)),
    requestIds: z.optional(z.array(text)),
    error: z.optional(errorDetail),
  }),
};

/** Case ids become folder names: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const SAFE_CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^[0-9a-f]{64}$/;

const digestSchema = z.string().check(z.regex(DIGEST, 'not a lower-case hex SHA-256 digest'));
const caseIdSchema = z.string().check(z.regex(SAFE_CASE_ID, 'not a safe case id'));
const accountIdSchema = z.string().check(z.refine(isAccountId, 'not a 12-digit account id'));
const positive = z.int().check(z.positive());
const eventType = z.enum(EVIDENCE_EVENT_TYPES as [EvidenceEventType, ...EvidenceEventType[]]);

/** Base64 that decodes and re-encodes to itself: Node's decoder skips stray characters, the verifier must not. */
const strictBase64 = z.string().check(
  z.minLength(4),
  z.refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s, {
    message: 'not canonical base64',
  }),
);

export const evidenceSignatureSchema = z.strictObject({
  algorithm: z.enum(SIGNATURE_ALGORITHMS as [SignatureAlgorithm, ...SignatureAlgorithm[]]),
  keyId: z.string().check(z.minLength(1)),
  value: strictBase64,
});

const complianceReferenceSchema = z.strictObject({ framework: text, control: text, title: text });

/** Parses a record read back from storage. Strict: an unknown top-level member is an edit, not an extension. */
export const evidenceRecordSchema = z
  .strictObject({
    schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
    caseId: caseIdSchema,
    accountId: accountIdSchema,
    type: eventType,
    sequence: positive,
    accountSequence: positive,
    previousDigest: z.nullable(digestSchema),
    previousAccountDigest: z.nullable(digestSchema),
    at: isoDate,
    recordedAt: isoDate,
    data: z.record(z.string(), z.unknown()),
    complianceReferences: z.array(complianceReferenceSchema),
    digest: digestSchema,
    signature: evidenceSignatureSchema,
  })
  .check(
    z.superRefine((record, ctx) => {
      const data = EVIDENCE_DATA_SCHEMAS[record.type].safeParse(record.data);
      if (!data.success) {
        for (const issue of data.error.issues) {
          ctx.addIssue({ code: 'custom', path: ['data', ...issue.path], message: issue.message });
        }
      }
    }),
  );

export const evidenceIndexEntrySchema = z.strictObject({
  schemaVersion: z.literal(EVIDENCE_INDEX_SCHEMA_VERSION),
  accountId: accountIdSchema,
  accountSequence: positive,
  caseId: caseIdSchema,
  sequence: positive,
  type: eventType,
  digest: digestSchema,
});

/** What a parse attempt gives back: the value, or readable issues (`path: message`). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

function parseWith<T>(schema: z.ZodMiniType<T>, content: string): ParseResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return { ok: false, issues: [`not JSON: ${(error as Error).message}`] };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
  };
}

export function parseEvidenceRecord(content: string): ParseResult<EvidenceRecord> {
  return parseWith(evidenceRecordSchema as z.ZodMiniType<EvidenceRecord>, content);
}

export function parseEvidenceIndexEntry(content: string): ParseResult<EvidenceIndexEntry> {
  return parseWith(evidenceIndexEntrySchema as z.ZodMiniType<EvidenceIndexEntry>, content);
}

/** The exact text the digest is computed over: canonical JSON of the record without `digest` and `signature`. */
export function recordBody(record: UnsignedEvidenceRecord | EvidenceRecord): string {
  const { digest: _digest, signature: _signature, ...body } = record as EvidenceRecord;
  return canonicalize(body);
}

export function sha256Hex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** SHA-256 of the record body, the value `digest` must hold. */
export function computeDigest(record: UnsignedEvidenceRecord | EvidenceRecord): string {
  return sha256Hex(recordBody(record));
}

/**
 * The stored file: the whole record as canonical JSON plus a newline. Storing the canonical bytes
 * means any edit of the file, even one that keeps the JSON value (whitespace, escapes, member
 * order), is detectable, and that every tool re-derives the same body to hash.
 */
export function serializeRecord(record: EvidenceRecord): string {
  return `${canonicalize(record)}\n`;
}

export function serializeIndexEntry(entry: EvidenceIndexEntry): string {
  return `${canonicalize(entry)}\n`;
}

export function indexEntryFor(record: EvidenceRecord): EvidenceIndexEntry {
  return {
    schemaVersion: EVIDENCE_INDEX_SCHEMA_VERSION,
    accountId: record.accountId,
    accountSequence: record.accountSequence,
    caseId: record.caseId,
    sequence: record.sequence,
    type: record.type,
    digest: record.digest,
  };
}

/** Builds the body of a new record; the service adds digest and signature. */
export function buildUnsignedRecord(input: {
  caseId: string;
  accountId: string;
  type: EvidenceEventType;
  at: string;
  recordedAt: string;
  data: Record<string, unknown>;
  sequence: number;
  accountSequence: number;
  previousDigest: string | null;
  previousAccountDigest: string | null;
}): UnsignedEvidenceRecord {
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    caseId: input.caseId,
    accountId: input.accountId,
    type: input.type,
    sequence: input.sequence,
    accountSequence: input.accountSequence,
    previousDigest: input.previousDigest,
    previousAccountDigest: input.previousAccountDigest,
    at: input.at,
    recordedAt: input.recordedAt,
    data: input.data,
    complianceReferences: COMPLIANCE_REFERENCES.map((r) => ({ ...r })),
  };
}

/** Member names that must never reach evidence: task tokens, session tokens, secrets, passwords, private keys. */
const SECRET_KEY = /(token|secret|password|passphrase|privatekey)$|^(secretaccesskey|authorization|cookie)$/i;
/** Values that are credentials whatever they are called: Slack tokens. */
const SECRET_VALUE = /^xox[a-z]-|^xapp-/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes caller data safe and canonicalizable before it is hashed: drops members named like a token
 * or secret (`taskToken`, `token`, `sessionToken`, `signingSecret`, `SecretAccessKey`…) and string
 * values that are Slack tokens, turns Dates into ISO strings and Errors into `{ name, message }`,
 * replaces what JSON cannot hold faithfully (NaN, Infinity → null; -0 → 0; lone surrogates → U+FFFD)
 * and drops functions, symbols and undefined. Returns the cleaned data and the paths it removed.
 * Defensive: callers are told never to pass secrets; this makes a slip harmless.
 */
export function sanitizeEvidenceData(data: Record<string, unknown>): {
  data: Record<string, unknown>;
  removed: string[];
} {
  const removed: string[] = [];
  const clean = (value: unknown, path: string, seen: object[]): unknown => {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    if (typeof value === 'string') {
      if (SECRET_VALUE.test(value)) {
        removed.push(path);
        return undefined;
      }
      return value.replace(LONE_SURROGATES, '\uFFFD');
    }
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object') return undefined;
    if (seen.includes(value)) return '[circular]';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof Error) return { name: value.name, message: value.message };
    const nested = [...seen, value];
    if (Array.isArray(value)) {
      return value.map((item, i) => clean(item, `${path}[${i}]`, nested) ?? null);
    }
    if (value instanceof Map) return clean(Object.fromEntries(value), path, seen);
    if (value instanceof Set) return clean([...value], path, seen);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const itemPath = `${path}.${key}`;
      if (SECRET_KEY.test(key)) {
        removed.push(itemPath);
        continue;
      }
      const cleaned = clean(item, itemPath, nested);
      if (cleaned !== undefined) out[key.replace(LONE_SURROGATES, '\uFFFD')] = cleaned;
    }
    return out;
  };
  return { data: clean(data, 'data', []) as Record<string, unknown>, removed };
}
