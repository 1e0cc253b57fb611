import * as z from './zod-mini';
import { InvalidInputError } from './errors';
import type { Trigger } from './trigger';

/** The Security Hub control this tool remediates (formerly PCI.IAM.1). */
export const ROOT_KEY_CONTROL_ID = 'IAM.4';

/** What the workflow's first state decides about its input. */
export type TriggerIntake = { ignored: true; reason: string } | { ignored: false; trigger: Trigger };

const accountId = z.string().check(z.regex(/^\d{12}$/, 'an account id is 12 digits'));
const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date'));

/** The ASFF fields that matter here; everything else in a finding is passed over. */
const asffFindingSchema = z.looseObject({
  Id: z.string().check(z.minLength(1)),
  ProductArn: z.string().check(z.minLength(1)),
  AwsAccountId: accountId,
  Region: z.optional(z.string()),
  UpdatedAt: z.optional(isoDate),
  RecordState: z.optional(z.string()),
  Compliance: z.optional(z.looseObject({ Status: z.optional(z.string()), SecurityControlId: z.optional(z.string()) })),
  ProductFields: z.optional(z.record(z.string(), z.unknown())),
  Workflow: z.optional(z.looseObject({ Status: z.optional(z.string()) })),
});
type AsffFinding = z.infer<typeof asffFindingSchema>;

const securityHubEventSchema = z.looseObject({
  id: z.optional(z.string()),
  source: z.literal('aws.securityhub'),
  'detail-type': z.literal('Security Hub Findings - Imported'),
  time: z.optional(isoDate),
  detail: z.looseObject({ findings: z.array(z.unknown()).check(z.minLength(1, 'the event carries no finding')) }),
});

const cloudTrailEventSchema = z.looseObject({
  id: z.optional(z.string()),
  source: z.literal('aws.iam'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  account: z.optional(accountId),
  time: z.optional(isoDate),
  detail: z.looseObject({
    eventSource: z.string(),
    eventName: z.string(),
    eventTime: z.optional(isoDate),
    eventID: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    recipientAccountId: z.optional(accountId),
    userIdentity: z.looseObject({ type: z.string(), accountId: z.optional(accountId) }),
    requestParameters: z.optional(z.nullable(z.looseObject({ userName: z.optional(z.string()) }))),
  }),
});

const scheduledEventSchema = z.looseObject({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/** Starts that do not come from EventBridge: the sweep, a person, an expired risk acceptance. */
const directStartSchema = z.strictObject({
  source: z.enum(['sweep', 'schedule', 'manual', 'acceptance-expired']),
  accountId,
  detectedAt: z.optional(isoDate),
  requestedBy: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(200))),
  /** The case whose accepted risk expired (acceptance-expired) or the sweep that started this one. */
  previousCaseId: z.optional(z.string().check(z.maxLength(100))),
  sweepExecutionId: z.optional(z.string().check(z.maxLength(2048))),
  /** Set by the organization sweep (see `Trigger.known`). */
  known: z.optional(
    z.strictObject({
      account: z.strictObject({ name: z.string().check(z.maxLength(256)), isManagement: z.boolean() }),
      features: z.strictObject({ rootCredentialsManagement: z.boolean(), rootSessions: z.boolean() }),
    }),
  ),
});

function describeIssues(error: z.core.$ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

function controlIdOf(finding: AsffFinding): string | undefined {
  const fromProductFields = finding.ProductFields?.['ControlId'];
  return (
    finding.Compliance?.SecurityControlId ?? (typeof fromProductFields === 'string' ? fromProductFields : undefined)
  );
}

/** Why a finding is not one this workflow acts on, or undefined when it is. */
function whyNotActionable(finding: AsffFinding): string | undefined {
  const control = controlIdOf(finding);
  if (control !== ROOT_KEY_CONTROL_ID) return `finding ${finding.Id} is for control ${control ?? '(none)'}, not IAM.4`;
  if (finding.Compliance?.Status !== 'FAILED')
    return `finding ${finding.Id} is ${finding.Compliance?.Status ?? 'without a compliance status'}, not FAILED`;
  if (finding.RecordState !== undefined && finding.RecordState !== 'ACTIVE')
    return `finding ${finding.Id} is ${finding.RecordState}`;
  // NEW only, as the EventBridge rule (infra/constructs/event-patterns.ts): a NOTIFIED, RESOLVED or
  // SUPPRESSED finding is one somebody (rootkey itself, usually) is handling already, and its
  // re-imported event must not start a second workflow.
  const workflow = finding.Workflow?.Status;
  if (workflow !== undefined && workflow !== 'NEW') {
    return `finding ${finding.Id} has workflow status ${workflow}: somebody is handling it already`;
  }
  return undefined;
}

function fromSecurityHub(event: z.infer<typeof securityHubEventSchema>, now: Date): TriggerIntake {
  const reasons: string[] = [];
  // Security Hub sends one finding per event; looking at all of them costs nothing and is robust.
  for (const raw of event.detail.findings) {
    const parsed = asffFindingSchema.safeParse(raw);
    if (!parsed.success) {
      reasons.push(`a finding does not match the ASFF shape (${describeIssues(parsed.error).join('; ')})`);
      continue;
    }
    const finding = parsed.data;
    const why = whyNotActionable(finding);
    if (why) {
      reasons.push(why);
      continue;
    }
    return {
      ignored: false,
      trigger: {
        source: 'security-hub',
        accountId: finding.AwsAccountId,
        detectedAt: finding.UpdatedAt ?? event.time ?? now.toISOString(),
        finding: {
          id: finding.Id,
          productArn: finding.ProductArn,
          ...(finding.Region ? { region: finding.Region } : {}),
        },
        ...(event.id ? { eventId: event.id } : {}),
      },
    };
  }
  return { ignored: true, reason: `No actionable IAM.4 finding: ${reasons.join('; ')}` };
}

function fromCloudTrail(event: z.infer<typeof cloudTrailEventSchema>, now: Date): TriggerIntake {
  const { detail } = event;
  if (detail.eventSource !== 'iam.amazonaws.com' || detail.eventName !== 'CreateAccessKey') {
    return {
      ignored: true,
      reason: `CloudTrail event ${detail.eventSource} ${detail.eventName} is not CreateAccessKey`,
    };
  }
  if (detail.userIdentity.type !== 'Root') {
    return {
      ignored: true,
      reason: `CreateAccessKey was called by a ${detail.userIdentity.type}, not by the root user`,
    };
  }
  // Root can create keys for IAM users too; those name the user and are not root keys.
  const userName = detail.requestParameters?.userName;
  if (userName) {
    return {
      ignored: true,
      reason: `The root user created an access key for IAM user ${userName}, which is not a root access key`,
    };
  }
  if (detail.errorCode) {
    return { ignored: true, reason: `CreateAccessKey failed (${detail.errorCode}); no key was created` };
  }
  const account = detail.recipientAccountId ?? detail.userIdentity.accountId ?? event.account;
  if (!account)
    throw new InvalidInputError(
      'The CloudTrail event names no account (recipientAccountId, userIdentity.accountId, account)',
    );
  const eventId = detail.eventID ?? event.id;
  return {
    ignored: false,
    trigger: {
      source: 'cloudtrail',
      accountId: account,
      detectedAt: detail.eventTime ?? event.time ?? now.toISOString(),
      ...(eventId ? { eventId } : {}),
    },
  };
}

/**
 * Turns whatever started the workflow into a {@link Trigger}: a Security Hub IAM.4 finding
 * (FAILED, ACTIVE, workflow NEW), a CloudTrail `CreateAccessKey` by the root user for
 * itself, or a direct start (sweep, schedule, manual, acceptance-expired). The EventBridge rules
 * already filter; this re-checks because rules can be edited and the sandbox posts raw events.
 * Events that are valid but not about a root key are `ignored` with the reason; anything else
 * throws {@link InvalidInputError}, naming every problem.
 */
export function normalizeTrigger(raw: unknown, now: Date): TriggerIntake {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError('A workflow input must be a JSON object (an EventBridge event or a direct start)');
  }
  const source = (raw as { source?: unknown }).source;
  if (source === 'aws.securityhub') {
    const parsed = securityHubEventSchema.safeParse(raw);
    if (!parsed.success) throw invalid('Security Hub event', parsed.error);
    return fromSecurityHub(parsed.data, now);
  }
  if (source === 'aws.iam') {
    const parsed = cloudTrailEventSchema.safeParse(raw);
    if (!parsed.success) throw invalid('CloudTrail event', parsed.error);
    return fromCloudTrail(parsed.data, now);
  }
  if (source === 'aws.events') {
    const parsed = scheduledEventSchema.safeParse(raw);
    if (!parsed.success) throw invalid('EventBridge event', parsed.error);
    return {
      ignored: true,
      reason: 'A scheduled event starts the organization sweep, not the workflow of one account',
    };
  }
  const parsed = directStartSchema.safeParse(raw);
  if (!parsed.success) throw invalid('workflow start', parsed.error);
  const start = parsed.data;
  return {
    ignored: false,
    trigger: {
      source: start.source,
      accountId: start.accountId,
      detectedAt: start.detectedAt ?? now.toISOString(),
      ...(start.requestedBy ? { requestedBy: start.requestedBy } : {}),
      ...(start.sweepExecutionId ? { eventId: start.sweepExecutionId } : {}),
      ...(start.previousCaseId ? { eventId: start.previousCaseId } : {}),
      ...(start.known ? { known: start.known } : {}),
    },
  };
}

function invalid(what: string, error: z.core.$ZodError): InvalidInputError {
  const issues = describeIssues(error);
  return new InvalidInputError(`Invalid ${what}: ${issues.join('; ')}`, issues);
}
