import * as z from '../zod-mini';
import type { EvidenceEventType } from './evidence-record';
import { InvalidInputError } from '../errors';

/**
 * The `data` of each evidence event type, one zod schema per type. Writers go through
 * `evidenceData()` (services/case-evidence.ts and every other writer), and the case report parses
 * each record with the same schema before it renders a row, so the report never guesses at field
 * names. A type with several shapes (a vote and the applied decision are both `decision` records) is
 * a union.
 *
 * Types with one shape are loose objects: members a writer adds for context are kept and shown in
 * the report's record details; the members the report reads are required. Types with several shapes
 * are unions of plain objects, told apart by their members; a plain object accepts extra members
 * (they stay in the stored record) but the writer's type names every member it may carry. Key ids
 * in evidence are always masked.
 */

const text = z.string();
const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date'));
const errorDetail = z.object({ name: text, message: text });
/** An error as the remover reports it (a sentence) or as `describeError` gives it. */
const errorText = z.union([text, errorDetail]);

const person = z.object({ userId: text, userName: z.optional(text) });
const maskedKey = z.object({
  maskedId: text,
  status: z.enum(['Active', 'Inactive']),
  createdAt: z.optional(text),
  lastUsed: z.optional(z.object({ date: z.optional(text), service: z.optional(text), region: z.optional(text) })),
});
const trigger = z.object({
  source: z.enum(['security-hub', 'cloudtrail', 'schedule', 'sweep', 'manual', 'acceptance-expired']),
  accountId: text,
  detectedAt: text,
  requestedBy: z.optional(text),
  eventId: z.optional(text),
});
const decisionAction = z.enum(['delete', 'runbook', 'accept-risk', 'reject']);
const vote = z.extend(person, {
  action: decisionAction,
  at: isoDate,
  reason: z.optional(text),
  expiresAt: z.optional(text),
});
const decision = z.object({
  action: decisionAction,
  approvers: z.array(z.extend(person, { at: isoDate })),
  decidedAt: isoDate,
  reason: z.optional(text),
  expiresAt: z.optional(text),
  approvedKeys: z.array(text),
});
const posture = z.object({
  account: z.object({ id: text, name: text }),
  status: text,
  reason: text,
  method: text,
  keys: z.array(maskedKey),
  removalPaths: z.array(text),
  checkedAt: text,
});

export const detectionData = z.union([
  /** The case opened: what started it and what the read found. */
  z.object({ trigger, posture, requiredApprovals: z.int() }),
  /** Another trigger arrived while the case was open; no new case was started. */
  z.object({ duplicateTrigger: trigger, openCaseStatus: text, note: text }),
  /** The keys changed between the approval and the deletion; nothing was deleted. */
  z.object({
    reason: text,
    approvedKeys: z.array(text),
    currentKeys: z.array(text),
    posture,
    next: z.enum(['approval', 'verify']),
  }),
]);

export const approvalRequestedData = z.looseObject({
  requiredApprovals: z.int(),
  keys: z.array(maskedKey),
  removalPaths: z.array(text),
  requestedAt: isoDate,
});

/** A reminder or an escalation while the workflow waits for a human. */
export const reminderData = z.looseObject({
  waitingFor: z.enum(['approval', 'runbook-step']),
  reminderNumber: z.int(),
  maxReminders: z.int(),
  escalate: z.boolean(),
  stepId: z.optional(text),
});

export const decisionData = z.union([
  /** One approver's click, counted; `decision` is set when it completed the decision. */
  z.object({
    event: z.enum(['decided', 'vote-recorded']),
    vote,
    requiredApprovals: z.int(),
    votes: z.int(),
    decision: z.optional(decision),
    /** Votes for the same action so far, while more are needed. */
    agreeing: z.optional(z.int()),
  }),
  /** The decision could not be handed to the workflow; the approvers may click again. */
  z.object({ event: z.literal('delivery-failed'), decision, error: errorDetail }),
  /** The workflow applied the decision. */
  z.object({ ...decision.shape, applied: z.literal(true), recheckAt: z.optional(text) }),
]);

export const actionData = z.looseObject({
  api: text,
  outcome: z.enum(['success', 'failure', 'refused']),
  calledAt: z.optional(isoDate),
  requestId: z.optional(text),
  keyId: z.optional(text),
  approvedKeys: z.array(text),
  error: z.optional(errorText),
});

export const runbookStepData = z.union([
  z.object({
    started: z.literal(true),
    reason: text,
    variant: text,
    steps: z.array(z.object({ id: text, title: text })),
  }),
  z.object({ verifyNow: z.literal(true), by: person, at: isoDate }),
  z.object({ stepId: text, title: text, variant: text, by: person, at: isoDate }),
]);

export const verificationData = z.looseObject({
  attempt: z.int(),
  maxAttempts: z.int(),
  gone: z.boolean(),
  exhausted: z.boolean(),
  reason: text,
  method: text,
  readAt: isoDate,
  signals: z.record(z.string(), z.unknown()),
});

export const findingUpdateData = z.union([
  z.object({ status: text, updated: z.literal(false), reason: text }),
  z.object({
    status: text,
    updated: z.literal(true),
    findingId: text,
    productArn: text,
    source: z.enum(['trigger', 'lookup']),
    note: text,
    /** Set when the finding is resolved: the evidence head the note cites. */
    citesEvidenceDigest: z.optional(text),
  }),
]);

export const outcomeData = z.looseObject({
  status: z.enum(['remediated', 'risk-accepted', 'rejected', 'expired', 'failed', 'compliant']),
  summary: text,
  error: z.optional(errorDetail),
});

/** "Prevent recurrence…" after a remediated case: the offer, the approvers' votes, and what was applied. */
export const guardrailData = z.looseObject({
  event: z.enum(['offered', 'vote-recorded', 'approved', 'applied', 'failed']),
  actions: z.optional(z.array(text)),
  approvers: z.optional(z.array(z.object({ userId: text, userName: z.optional(text) }))),
  policyId: z.optional(text),
  targetId: z.optional(text),
  newlyCovered: z.optional(z.array(text)),
  changes: z.optional(z.array(text)),
  requestIds: z.optional(z.array(text)),
  error: z.optional(errorDetail),
});

/** The schema of each event type's `data`. */
export const EVIDENCE_DATA = {
  detection: detectionData,
  'approval-requested': approvalRequestedData,
  reminder: reminderData,
  escalation: reminderData,
  decision: decisionData,
  action: actionData,
  'runbook-step': runbookStepData,
  verification: verificationData,
  'finding-update': findingUpdateData,
  outcome: outcomeData,
  guardrail: guardrailData,
} as const satisfies Record<EvidenceEventType, z.ZodMiniType>;

/** What a writer must hand in for an event of type `T`. */
export type EvidenceDataInput<T extends EvidenceEventType> = z.input<(typeof EVIDENCE_DATA)[T]>;
/** What the report reads from a record of type `T`. */
export type EvidenceData<T extends EvidenceEventType> = z.output<(typeof EVIDENCE_DATA)[T]>;

export type EvidenceDataParse<T extends EvidenceEventType> =
  { ok: true; data: EvidenceData<T> } | { ok: false; issues: string[] };

/** Parses one record's data with its type's schema; issues read `path: message`. */
export function parseEvidenceData<T extends EvidenceEventType>(type: T, data: unknown): EvidenceDataParse<T> {
  const parsed = (EVIDENCE_DATA[type] as z.ZodMiniType).safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data as EvidenceData<T> };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
  };
}

/**
 * Checks event data against its type's schema before it is recorded, and returns it unchanged (the
 * writer's members, extra ones included, are what gets hashed). A mismatch is a writer's bug: it
 * throws InvalidInputError (not transient) and nothing is recorded.
 */
export function evidenceData<T extends EvidenceEventType>(
  type: T,
  data: EvidenceDataInput<T>,
): Record<string, unknown> {
  const parsed = parseEvidenceData(type, data);
  if (!parsed.ok) {
    throw new InvalidInputError(
      `The ${type} evidence data does not match its schema: ${parsed.issues.join('; ')}`,
      parsed.issues,
    );
  }
  return data as Record<string, unknown>;
}
