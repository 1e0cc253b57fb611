import * as z from 'zod';
import { InvalidInputError } from '../../core/errors';

const accountId = z.string().regex(/^\d{12}$/, 'an account id is 12 digits');
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date');

const simKeySchema = z.strictObject({
  id: z.string().regex(/^AKIA[0-9A-Z]{12,124}$/, 'a root access key id starts with AKIA'),
  status: z.enum(['Active', 'Inactive']).default('Active'),
  createdAt: isoDate,
  lastUsed: z
    .strictObject({ date: isoDate.optional(), service: z.string().optional(), region: z.string().optional() })
    .optional(),
});

const simAccountSchema = z.strictObject({
  id: accountId,
  name: z.string().min(1).max(50),
  email: z.string().optional(),
  management: z.boolean().default(false),
  rootKeys: z.array(simKeySchema).max(2, 'AWS allows at most two access keys per user').default([]),
  /** Whether the read-only role exists in this account (the path for the management/standalone account). */
  readRole: z.boolean().default(true),
  /** Whether someone knows the root password (decides the runbook variant). */
  rootPasswordKnown: z.boolean().default(true),
  /** What the demo expects this account's case to end as. */
  expect: z.enum(['compliant', 'remediated', 'risk-accepted', 'rejected', 'expired', 'failed']).optional(),
  /** How the sandbox approver decides this account in `rootkey demo`. */
  demoDecision: z.enum(['delete', 'runbook', 'accept-risk', 'reject']).optional(),
  /** The OU the account sits in (`organization.ous[].id`); absent: directly under the root. */
  parent: z.string().optional(),
  /** The root user's other credentials; absent: a password and one MFA device, as most older accounts have. */
  rootCredentials: z
    .strictObject({
      password: z.boolean(),
      mfaDevices: z.number().int().min(0).max(8),
      signingCertificates: z.number().int().min(0).max(2),
    })
    .optional(),
});

const simPolicySchema = z.strictObject({
  id: z.string().regex(/^p-[0-9a-zA-Z_]{8,128}$/, 'a policy id looks like p-xxxxxxxx'),
  name: z.string().min(1).max(128),
  /** The SCP document (an object, or its JSON text). */
  content: z.union([z.string(), z.record(z.string(), z.unknown())]),
  awsManaged: z.boolean().default(false),
  tags: z.record(z.string(), z.string()).optional(),
  /** Root, OU or account ids it is attached to. */
  attachedTo: z.array(z.string()).default([]),
});

/** The organization's shape for service control policies (prevention, `rootkey guardrails`). */
const simOrganizationSchema = z.strictObject({
  rootId: z.string().regex(/^r-[0-9a-z]{4,32}$/, 'a root id looks like r-xxxx'),
  /** SERVICE_CONTROL_POLICY enabled on the root; when it is, FullAWSAccess is attached everywhere. */
  scpsEnabled: z.boolean().default(true),
  ous: z
    .array(
      z.strictObject({
        id: z.string().regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, 'an OU id looks like ou-xxxx-xxxxxxxx'),
        name: z.string().min(1),
        parent: z.string().optional(),
      }),
    )
    .default([]),
  policies: z.array(simPolicySchema).default([]),
  /** The organization's SCP quota (default 10,000; tests lower it). */
  maxScps: z.number().int().min(1).optional(),
  /** The caller may read but not create or attach policies (models a missing organizations:CreatePolicy). */
  readOnlyCaller: z.boolean().default(false),
});

const faultSchema = z.strictObject({
  /** Share of IAM/STS calls answered with a throttling error (0..1). */
  throttleRate: z.number().min(0).max(1).default(0),
  /** Share of calls answered with a 5xx. */
  serverErrorRate: z.number().min(0).max(1).default(0),
  /** Latency added to each call, milliseconds. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** After a deletion, reads still show the key for this long (eventual consistency). */
  visibilityDelayMs: z.number().int().min(0).max(3_600_000).default(0),
  /** Seed of the fault generator, so that runs repeat. */
  seed: z.number().int().default(1),
});

/** One token bucket: sustained requests per second and the burst an idle caller may send at once. */
const rateLimitSchema = z.strictObject({
  ratePerSecond: z.number().positive().max(100_000),
  burst: z.number().int().min(1).max(100_000),
});

/**
 * Optional API rate limits, modeled as AWS applies them: calls made with the caller's own
 * credentials (`sts:*`, `organizations:*`) count against the caller's account; calls made inside
 * a target account's session (`iam:*`) count against that account. A call over a limit is refused
 * with throttling (TransientAwsError "Throttling: Rate exceeded") and costs no token. Absent: no limit.
 */
const limitsSchema = z.strictObject({
  /** The calling (central) account's STS and Organizations request rate. */
  perCaller: rateLimitSchema.optional(),
  /** Each target account's IAM request rate. */
  perAccount: rateLimitSchema.optional(),
  /** How long IAM takes to generate a credential report: GenerateCredentialReport answers STARTED/INPROGRESS until then. */
  credentialReportMs: z.number().int().min(0).max(3_600_000).optional(),
});

export const scenarioSchema = z.strictObject({
  description: z.string().optional(),
  /** Standalone: a single account with no organization. */
  standalone: z.boolean().default(false),
  features: z
    .strictObject({ rootCredentialsManagement: z.boolean(), rootSessions: z.boolean() })
    .default({ rootCredentialsManagement: true, rootSessions: true }),
  accounts: z.array(simAccountSchema).min(1, 'a scenario needs at least one account'),
  faults: faultSchema.default({ throttleRate: 0, serverErrorRate: 0, latencyMs: 0, visibilityDelayMs: 0, seed: 1 }),
  limits: limitsSchema.optional(),
  organization: simOrganizationSchema.optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type SimAccountSpec = Scenario['accounts'][number];
export type SimKeySpec = SimAccountSpec['rootKeys'][number];
export type SimFaults = Scenario['faults'];
export type SimLimits = NonNullable<Scenario['limits']>;
export type SimOrganizationSpec = NonNullable<Scenario['organization']>;

/** Parses a scenario (already JSON-decoded). Throws InvalidInputError naming every problem. */
export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidInputError(`Invalid ${source}: ${issues.join('; ')}`, issues);
  }
  const scenario = result.data;
  const ids = new Set<string>();
  for (const a of scenario.accounts) {
    if (ids.has(a.id)) throw new InvalidInputError(`Invalid ${source}: account ${a.id} appears twice`);
    ids.add(a.id);
  }
  const managers = scenario.accounts.filter((a) => a.management);
  if (!scenario.standalone && managers.length !== 1) {
    throw new InvalidInputError(
      `Invalid ${source}: an organization has exactly one management account (found ${managers.length})`,
    );
  }
  if (scenario.standalone && scenario.accounts.length !== 1) {
    throw new InvalidInputError(`Invalid ${source}: a standalone scenario has exactly one account`);
  }
  return scenario;
}

/** Parses scenario file text (JSON). */
export function parseScenarioText(text: string, source = 'scenario file'): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`Invalid ${source}: not JSON (${(error as Error).message})`);
  }
  return parseScenario(raw, source);
}
