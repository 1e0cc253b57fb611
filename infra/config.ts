import * as z from 'zod';
import { InvalidInputError } from '../functions/core/errors';
import { DEFAULT_READ_ROLE_NAME } from '../functions/core/shared-names';

/** Placeholder values that let `cdk synth` run offline; a deployment must replace them (a synth warning says so). */
export const PLACEHOLDERS = {
  orgId: 'o-exampleorg1',
  account: '123456789012',
  slackChannel: 'C0000000000',
  approver: 'U0000000000',
} as const;

const accountId = z.string().regex(/^\d{12}$/, 'an account id is 12 digits');
const list = (item: z.ZodType<string>) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/**
 * Deployment configuration, read from CDK context (`cdk.json` "context", `-c key=value`) under the
 * `rootkey:` prefix. Every value has a default that synthesizes offline.
 */
export const rootKeyConfigSchema = z.strictObject({
  /** AWS Organizations id (`o-…`): AssumeRoot and AssumeRole are allowed only on accounts of this organization. */
  orgId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5'),
  /** The organization's management account (read through `readRoleName`, never through AssumeRoot). */
  managementAccountId: accountId,
  /** The account the central stack is deployed to (IAM delegated administrator / security tooling account). */
  centralAccountId: accountId,
  /** The central stack's Region: the Security Hub aggregation Region, where the central event bus lives. */
  centralRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a Region such as eu-west-1'),
  /** Slack channel id for approval requests. */
  slackChannel: z.string().regex(/^[CG][A-Z0-9]{2,20}$/, 'a channel id such as C0123456789'),
  /** Approvers: Slack user ids (comma-separated in context) … */
  approvers: list(z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'Slack user ids such as U0123456789')),
  /** … or a Slack user group id. */
  approverGroup: z
    .string()
    .regex(/^S[A-Z0-9]{2,20}$/, 'a user group id such as S0123456789')
    .optional(),
  /** Who escalations mention: a user id, a user group id, `here` or `channel`. */
  escalationMention: z.string().optional(),
  /** Distinct approvers needed (2 = four-eyes). */
  requiredApprovals: int(1, 10),
  /** Role assumed in accounts AssumeRoot cannot reach (management account, feature off). */
  readRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'),
  /** How long one approval request waits before a reminder, in hours. */
  approvalTimeoutHours: int(1, 24 * 30),
  /** How long one runbook step waits before a reminder, in hours. */
  runbookStepTimeoutHours: int(1, 24 * 30),
  /** Reminders before the approval expires (the last one escalates). */
  maxReminders: int(0, 10),
  /** Years the evidence bucket's Object Lock (COMPLIANCE mode) keeps every record. */
  evidenceRetentionYears: int(1, 10),
  /** Log retention of the functions, the state machines and the API, in days (PCI DSS 10.7: a year). */
  logRetentionDays: int(1, 3653),
  /** When the organization sweep runs (EventBridge cron, UTC). */
  sweepSchedule: z.string().regex(/^cron\(.+\)$|^rate\(.+\)$/, 'an EventBridge schedule such as cron(0 6 * * ? *)'),
  /** Concurrent per-account workflows the sweep starts at a time. */
  sweepConcurrency: int(1, 1000),
  /** Name of the central event bus the member accounts forward root CreateAccessKey events to. */
  eventBusName: z.string().regex(/^[\w.\-/]{1,256}$/, 'an event bus name'),
  /** Email address for alarm notifications (optional; subscribe others to the topic as needed). */
  alarmEmail: z.email().optional(),
  /** API Gateway stage throttling for the Slack endpoint. */
  slackRateLimit: int(1, 10_000),
  slackBurstLimit: int(1, 5_000),
  /** Register the cdk-nag packs (AwsSolutions, PCI DSS 3.2.1, Serverless) on the app. */
  nag: bool,
  /**
   * Let the stack set API Gateway's account-wide CloudWatch Logs role (`AWS::ApiGateway::Account`),
   * which the Slack endpoint's access logs need. Off by default: it is a setting of the whole
   * account and Region, shared with every other API, and replacing it is not rootkey's call. When
   * off, the account must already have the role (see docs/deploy.md).
   */
  apiGatewayCloudWatchRole: bool,
});

export type RootKeyConfig = z.infer<typeof rootKeyConfigSchema>;

export const DEFAULT_CONFIG: RootKeyConfig = {
  orgId: PLACEHOLDERS.orgId,
  managementAccountId: PLACEHOLDERS.account,
  centralAccountId: PLACEHOLDERS.account,
  centralRegion: 'us-east-1',
  slackChannel: PLACEHOLDERS.slackChannel,
  approvers: [PLACEHOLDERS.approver],
  requiredApprovals: 1,
  readRoleName: DEFAULT_READ_ROLE_NAME,
  approvalTimeoutHours: 24,
  runbookStepTimeoutHours: 72,
  maxReminders: 2,
  evidenceRetentionYears: 1,
  logRetentionDays: 365,
  sweepSchedule: 'cron(0 6 * * ? *)',
  sweepConcurrency: 10,
  eventBusName: 'rootkey-central',
  slackRateLimit: 10,
  slackBurstLimit: 20,
  nag: true,
  apiGatewayCloudWatchRole: false,
};

/** Context key of each setting: `rootkey:<name>`. */
export function contextKey(name: keyof RootKeyConfig): string {
  return `rootkey:${name}`;
}

/**
 * Reads the configuration from a context lookup (`node.tryGetContext`), falling back to the
 * defaults. Throws InvalidInputError naming every bad key and what it should look like.
 */
export function readConfig(tryGetContext: (key: string) => unknown): RootKeyConfig {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(DEFAULT_CONFIG) as (keyof RootKeyConfig)[]) {
    const value = tryGetContext(contextKey(name));
    raw[name] = value ?? DEFAULT_CONFIG[name];
  }
  for (const optional of ['approverGroup', 'escalationMention', 'alarmEmail'] as const) {
    const value = tryGetContext(contextKey(optional));
    if (value !== undefined && value !== '') raw[optional] = value;
  }
  const parsed = rootKeyConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `rootkey:${i.path.join('.')}: ${i.message}`);
    throw new InvalidInputError(`Invalid CDK context: ${issues.join('; ')}`, issues);
  }
  const config = parsed.data;
  if (config.approvers.length === 0 && !config.approverGroup) {
    throw new InvalidInputError('Invalid CDK context: set rootkey:approvers or rootkey:approverGroup');
  }
  return config;
}

/** Which settings still hold a placeholder (deploying them would not work). */
export function placeholdersIn(config: RootKeyConfig): string[] {
  const found: string[] = [];
  if (config.orgId === PLACEHOLDERS.orgId) found.push(contextKey('orgId'));
  if (config.managementAccountId === PLACEHOLDERS.account) found.push(contextKey('managementAccountId'));
  if (config.centralAccountId === PLACEHOLDERS.account) found.push(contextKey('centralAccountId'));
  if (config.slackChannel === PLACEHOLDERS.slackChannel) found.push(contextKey('slackChannel'));
  if (config.approvers.includes(PLACEHOLDERS.approver)) found.push(contextKey('approvers'));
  return found;
}
