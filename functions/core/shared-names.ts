/**
 * Names the code and the infrastructure that deploys it must agree on: environment variables, the
 * read role, the cases table's index and the author of finding notes. One home, so that `infra/`
 * learns them without importing a handler or an adapter — this module imports nothing, so
 * `cdk synth` loads no SDK client through it (test/unit/core/shared-names.test.ts checks that).
 */

/**
 * The IAM role rootkey reads through where `sts:AssumeRoot` cannot reach (the management account,
 * and every account when root access management is off). The member-account stack creates it; the
 * sandbox's simulated organization knows it; `--role-name` / `ROOTKEY_READ_ROLE_NAME` and the
 * deployment's `readRoleName` override it.
 */
export const DEFAULT_READ_ROLE_NAME = 'RootKeyReadOnly';

/** Environment variables the workflow functions read: names, ARNs and settings, never secret values. */
export const WORKFLOW_ENV = {
  casesTable: 'CASES_TABLE_NAME',
  evidenceBucket: 'EVIDENCE_BUCKET_NAME',
  /** Only the sweep's list function has it (and may write there). */
  sweepListBucket: 'SWEEP_LIST_BUCKET_NAME',
  evidenceKmsKey: 'EVIDENCE_KMS_KEY_ARN',
  signingKey: 'EVIDENCE_SIGNING_KEY_ARN',
  slackSecretArn: 'SLACK_SECRET_ARN',
  securityHubRegion: 'SECURITY_HUB_REGION',
  readRoleName: 'READ_ROLE_NAME',
  requiredApprovals: 'REQUIRED_APPROVALS',
  maxReminders: 'MAX_REMINDERS',
  verifyMaxAttempts: 'VERIFY_MAX_ATTEMPTS',
  verifyInitialWait: 'VERIFY_INITIAL_WAIT_SECONDS',
  verifyMaxWait: 'VERIFY_MAX_WAIT_SECONDS',
} as const;

/**
 * Environment of the Slack function: the same names the workflow functions use for the shared
 * resources, plus the Slack secret and the case workflow. Names and ARNs only, never secret values.
 */
export const SLACK_FUNCTION_ENV = {
  casesTable: WORKFLOW_ENV.casesTable,
  evidenceBucket: WORKFLOW_ENV.evidenceBucket,
  evidenceKmsKey: WORKFLOW_ENV.evidenceKmsKey,
  signingKey: WORKFLOW_ENV.signingKey,
  /** Secret with `{"signingSecret": "…", "botToken": "…"}`. */
  slackSecretArn: WORKFLOW_ENV.slackSecretArn,
  /** The per-account case workflow, for `/rootkey scan` (optional: without it the command says so). */
  caseWorkflowArn: 'CASE_WORKFLOW_ARN',
  /** The Prevention state machine an approved "Prevent recurrence…" offer starts (optional: without it the button says prevention is unavailable). */
  preventionWorkflowArn: 'PREVENTION_WORKFLOW_ARN',
} as const;

/** The Prevention state machine's ARN, for record-outcome (optional: without it no offer is made in AWS). */
export const PREVENTION_WORKFLOW_ENV = SLACK_FUNCTION_ENV.preventionWorkflowArn;

/** Name of the cases table's global secondary index that lists an account's cases by opening time. */
export const CASES_BY_ACCOUNT_INDEX = 'byAccount';

/** Partition-key prefix of a sweep's tally items (`SWEEP#<sweep>`, `SWEEP#<sweep>#<account>`): the only items the outcome-reporting tasks may update. */
export const SWEEP_PREFIX = 'SWEEP#';

/** The cases table's TTL attribute (epoch seconds): set on sweep tallies only, never on cases. */
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

/**
 * `Note.UpdatedBy` of every note rootkey writes. The task roles may only write notes by this author
 * (`securityhub:ASFFSyntaxPath/Note.UpdatedBy`, infra/constructs/finding-grants.ts).
 */
export const FINDING_NOTE_AUTHOR = 'rootkey';
