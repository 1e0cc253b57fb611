import type { Account } from './account';
import type { Case } from './case';
import { InvalidInputError } from './errors';
import type { RemovalPath } from './removal-paths';
import { RECENT_USE_DAYS, daysSinceLastUse, wasUsedRecently, type RootKey } from './root-key';

/** The manual ways to remove a root key, as `RemovalPath`s a person carries out. */
export type RunbookVariant = 'console-privileged-action' | 'root-sign-in' | 'password-recovery';

/** One step a person carries out and confirms (in Slack, one button per step). */
export interface RunbookStep {
  /** Stable id (`sign-in-as-root`): Slack buttons and the evidence refer to it. */
  id: string;
  title: string;
  /** Exact instructions, in order. */
  instructions: string[];
  /** The CLI equivalent, where one exists. */
  cli?: string;
  /** What can go wrong or break; shown prominently. */
  warning?: string;
  /** How the person knows the step worked. */
  check?: string;
}

export interface Runbook {
  accountId: string;
  accountName: string;
  variant: RunbookVariant;
  title: string;
  steps: RunbookStep[];
  /** What to check once the key is gone. */
  afterwards: string[];
}

export const RUNBOOK_VARIANTS: readonly RunbookVariant[] = [
  'console-privileged-action',
  'root-sign-in',
  'password-recovery',
];

export const RUNBOOK_VARIANT_LABELS: Record<RunbookVariant, string> = {
  'console-privileged-action': 'Privileged action from the management account (no root sign-in)',
  'root-sign-in': 'Root user sign-in',
  'password-recovery': 'Root password recovery, then root user sign-in',
};

export function isRunbookVariant(value: string): value is RunbookVariant {
  return (RUNBOOK_VARIANTS as readonly string[]).includes(value);
}

/** The task policies of centralized root access, as the CLI takes them. */
const DELETE_TASK_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';
const AUDIT_TASK_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';
const PASSWORD_TASK_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword';

/** Which variants an account's removal paths allow, most convenient first. */
export function availableRunbookVariants(removalPaths: readonly RemovalPath[]): RunbookVariant[] {
  return RUNBOOK_VARIANTS.filter((v) => removalPaths.includes(v));
}

/**
 * Chooses the variant that fits the account: the privileged action where centralized root access
 * reaches the account (nobody needs the root password), otherwise a root sign-in, preceded by
 * password recovery when nobody knows the password. An explicit variant wins when the account
 * allows it; asking for one it does not allow is an input error.
 */
export function chooseRunbookVariant(input: {
  removalPaths: readonly RemovalPath[];
  rootPasswordKnown?: boolean;
  variant?: RunbookVariant;
}): RunbookVariant {
  const available = availableRunbookVariants(input.removalPaths);
  if (input.variant) {
    if (!available.includes(input.variant)) {
      throw new InvalidInputError(
        `The runbook variant '${input.variant}' is not available for this account (available: ${available.join(', ') || 'none'})`,
      );
    }
    return input.variant;
  }
  if (available.includes('console-privileged-action')) return 'console-privileged-action';
  if (input.rootPasswordKnown === false && available.includes('password-recovery')) return 'password-recovery';
  if (available.includes('root-sign-in')) return 'root-sign-in';
  if (available[0]) return available[0];
  throw new InvalidInputError('No manual removal path is available for this account');
}

export interface BuildRunbookInput {
  account: Account;
  removalPaths: RemovalPath[];
  keys: RootKey[];
  /** False when nobody knows the root password: the runbook starts with password recovery. */
  rootPasswordKnown?: boolean;
  now: Date;
  variant?: RunbookVariant;
}

/**
 * The guided manual runbook for one account, as data (Slack, the CLI and the evidence render it).
 * Key ids appear masked only. The root user is not an IAM user: no step sends anyone to the IAM
 * console's identity lists to find it; its keys live on the root user's own Security credentials page
 * or behind the management account's Root access management.
 */
export function buildRunbook(input: BuildRunbookInput): Runbook {
  const variant = chooseRunbookVariant(input);
  const ctx: StepContext = {
    account: input.account,
    keys: input.keys,
    now: input.now,
    generic: false,
    centralRootAccess: input.removalPaths.includes('console-privileged-action'),
  };
  return assemble(ctx, variant);
}

/** The runbook of a case: its account, keys and removal paths, and the variant the workflow chose. */
export function runbookForCase(c: Case, now: Date): Runbook {
  const chosen = c.runbook?.variant;
  if (chosen !== undefined && !isRunbookVariant(chosen)) {
    throw new InvalidInputError(`Case ${c.caseId} names an unknown runbook variant '${chosen}'`);
  }
  return buildRunbook({
    account: c.posture.account,
    removalPaths: c.removalPaths,
    keys: c.posture.keys,
    now,
    ...(chosen ? { variant: chosen } : {}),
  });
}

/** Placeholder account id used by the generic runbook (no account given). */
export const GENERIC_ACCOUNT_ID = 'ACCOUNT_ID';

/**
 * Runbooks that do not depend on an account (`rootkey runbook` without `--account`): one per
 * variant (or only `variant`), with placeholders where the account id and key ids go.
 */
export function genericRunbooks(now: Date, variant?: RunbookVariant): Runbook[] {
  const account: Account = { id: GENERIC_ACCOUNT_ID, name: 'the account', isManagement: false };
  return (variant ? [variant] : RUNBOOK_VARIANTS).map((v) =>
    assemble({ account, keys: [], now, generic: true, centralRootAccess: true }, v),
  );
}

// ---- assembly ---------------------------------------------------------------------------------

interface StepContext {
  account: Account;
  keys: RootKey[];
  now: Date;
  /** No account was given: use placeholders and cover every case. */
  generic: boolean;
  /** Centralized root access reaches the account (AssumeRoot and the console's privileged actions). */
  centralRootAccess: boolean;
}

function assemble(ctx: StepContext, variant: RunbookVariant): Runbook {
  const steps: RunbookStep[] = [prepareStep(ctx, variant)];
  if (variant === 'console-privileged-action') {
    steps.push(openRootAccessManagementStep(ctx), privilegedDeleteStep(ctx));
  } else {
    if (variant === 'password-recovery') steps.push(recoverPasswordStep(ctx));
    steps.push(
      signInAsRootStep(ctx, variant),
      openSecurityCredentialsStep(ctx),
      deactivateKeysStep(ctx),
      watchForBreakageStep(ctx),
      deleteKeysStep(),
    );
  }
  steps.push(verifyStep(ctx));
  const who = ctx.generic ? 'an account' : `${ctx.account.name} (${ctx.account.id})`;
  return {
    accountId: ctx.account.id,
    accountName: ctx.account.name,
    variant,
    title: `Remove the root access key${ctx.keys.length === 1 ? '' : 's'} of ${who}: ${RUNBOOK_VARIANT_LABELS[variant]}`,
    steps,
    afterwards: afterwards(ctx, variant),
  };
}

function describeKey(key: RootKey, now: Date): string {
  const created = key.createdAt ? `created ${key.createdAt.slice(0, 10)}` : 'creation date unknown';
  let used = 'never used';
  if (key.lastUsed?.date) {
    const days = daysSinceLastUse(key, now);
    const where = [key.lastUsed.service, key.lastUsed.region].filter(Boolean).join(' in ');
    used = `last used ${key.lastUsed.date.slice(0, 10)} (${days} day${days === 1 ? '' : 's'} ago${where ? `, ${where}` : ''})`;
  }
  return `${key.maskedId}: ${key.status}, ${created}, ${used}`;
}

/** A masked access key id (`AKIA****WXYZ`), as opposed to a placeholder for a key the read could not name. */
const MASKED_KEY_ID = /^[A-Z0-9]{4}\*+[A-Z0-9]{4}$/;

function keysHaveIds(ctx: StepContext): boolean {
  return !ctx.generic && ctx.keys.length > 0 && ctx.keys.every((k) => MASKED_KEY_ID.test(k.maskedId));
}

function keyList(ctx: StepContext): string {
  if (ctx.generic || ctx.keys.length === 0) return 'the root access key(s) the finding names';
  if (!keysHaveIds(ctx)) return 'the root access key(s) listed in the first step';
  return ctx.keys.map((k) => k.maskedId).join(' and ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function recentlyUsed(ctx: StepContext): RootKey[] {
  return ctx.keys.filter((k) => wasUsedRecently(k, ctx.now));
}

function recentUseWarning(ctx: StepContext): string | undefined {
  const recent = recentlyUsed(ctx);
  if (recent.length === 0) return undefined;
  const lines = recent.map((k) => {
    const days = daysSinceLastUse(k, ctx.now);
    const where = [k.lastUsed?.service, k.lastUsed?.region].filter(Boolean).join(' in ');
    return `${k.maskedId} was used ${days} day${days === 1 ? '' : 's'} ago${where ? ` (${where})` : ''}`;
  });
  return `${lines.join('; ')}: something may still depend on it.`;
}

const DEACTIVATE_FIRST = 'Deactivate it first and watch for breakage before deleting.';

function cannotDeactivate(ctx: StepContext): string {
  const account = ctx.generic ? 'ACCOUNT_ID' : ctx.account.id;
  return `This path can only delete: the privileged action and its IAMDeleteRootUserCredentials task policy do not allow iam:UpdateAccessKey, so a key cannot be deactivated first and there is no trial period. To deactivate first and watch for breakage, use the root sign-in variant (\`rootkey runbook --account ${account} --variant root-sign-in\`).`;
}

function prepareStep(ctx: StepContext, variant: RunbookVariant): RunbookStep {
  const { account } = ctx;
  const instructions: string[] = [];
  if (ctx.generic) {
    instructions.push('Note the masked key id(s), last-used date, service and Region from the approval request.');
  } else if (ctx.keys.length > 0) {
    instructions.push(
      `Account ${account.id} (${account.name}) has ${ctx.keys.length} root access key${ctx.keys.length > 1 ? 's' : ''}:`,
      ...ctx.keys.map((k) => `  - ${describeKey(k, ctx.now)}`),
    );
  } else {
    instructions.push(`The last read of account ${account.id} (${account.name}) found no root access key.`);
  }
  // "Access key IDs beginning with AKIA are long-term credentials for an IAM user or the AWS account
  // root user" (STS GetAccessKeyInfo, https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html).
  instructions.push(
    keysHaveIds(ctx) || ctx.generic
      ? 'Find what still uses the key: search CloudTrail event history of the account for calls signed with it (lookup attribute "AWS access key" = the full key id, shown on the root user\'s Security credentials page; the approval request shows it masked) and check the service and Region it was last used in.'
      : 'Find what still uses the key: the read could not name the key (the credential report lists root keys without ids), so look in CloudTrail for calls by the root user (userIdentity.type Root) signed with a long-term access key (userIdentity.accessKeyId starting with AKIA), and check the service and Region the credential report lists as last used.',
    `Tell the owners of anything that uses it, and move that workload to an IAM role before the key goes (keys used in the last ${RECENT_USE_DAYS} days are the ones to worry about).`,
  );
  const recent = recentUseWarning(ctx);
  let warning: string | undefined;
  if (recent) {
    warning =
      variant === 'console-privileged-action' ? `${recent} ${cannotDeactivate(ctx)}` : `${recent} ${DEACTIVATE_FIRST}`;
  }
  return {
    id: 'prepare',
    title: 'Find out what still uses the key',
    instructions,
    cli: `aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=<full access key id> --max-results 50`,
    ...(warning ? { warning } : {}),
    check: 'You know which workloads (if any) used the key, and their owners agreed to its removal.',
  };
}

function openRootAccessManagementStep(ctx: StepContext): RunbookStep {
  const { account } = ctx;
  return {
    id: 'open-root-access-management',
    title: 'Open Root access management in the management account',
    instructions: [
      'Sign in to the organization management account (or the delegated administrator account for IAM) as an IAM role or IAM user that is allowed sts:AssumeRoot. Do not sign in as a root user: root credentials cannot call AssumeRoot, and this path needs no root password.',
      'Open the IAM console and choose Root access management in the navigation pane.',
      `Select the member account ${account.id} (${account.name}) in the list.`,
    ],
    check: `Account ${account.id} is listed with its root user credentials; if it is missing, centralized root access does not reach it: use the root sign-in variant instead.`,
  };
}

function privilegedDeleteStep(ctx: StepContext): RunbookStep {
  const { account } = ctx;
  return {
    id: 'delete-root-credentials',
    title: 'Take the privileged action: delete the root user credentials',
    instructions: [
      'Choose Take privileged action, then Delete root user credentials, and confirm.',
      `In the console this removes every root user credential of ${account.id}: the password, access keys (${keyList(ctx)}), signing certificates and MFA devices. That is the recommended state for member accounts; afterwards the root user can sign in only after someone chooses Take privileged action, then Allow password recovery.`,
      'To delete only the access key(s), use the CLI equivalent instead: an AssumeRoot session with the IAMDeleteRootUserCredentials task policy (at most 900 seconds, on a Regional STS endpoint) that deletes exactly the keys listed.',
    ],
    cli: [
      `aws sts assume-root --region <region> --target-principal ${account.id} --task-policy-arn arn=${DELETE_TASK_POLICY} --duration-seconds 900`,
      '# export Credentials.AccessKeyId, SecretAccessKey and SessionToken as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, then:',
      'aws iam list-access-keys',
      `aws iam delete-access-key --access-key-id <full id of ${keyList(ctx)}>`,
    ].join('\n'),
    warning: cannotDeactivate(ctx),
    check: '`aws iam list-access-keys` in the same session returns an empty AccessKeyMetadata list.',
  };
}

function recoverPasswordStep(ctx: StepContext): RunbookStep {
  const { account } = ctx;
  const member = ctx.centralRootAccess;
  const instructions = [
    'Open the AWS sign-in page, choose Root user, enter the root email address of the account' +
      (account.email ? ` (${account.email})` : '') +
      ', then choose Forgot password.',
    'AWS sends a reset link to the root email address: whoever owns that mailbox (often a distribution list) opens it and sets a new, strong password. Store it in the team password vault.',
  ];
  if (member) {
    instructions.push(
      'For a member account whose root credentials were removed centrally, recovery is blocked until someone in the management account chooses Root access management, the account, Take privileged action, then Allow password recovery (CLI below).',
    );
  }
  return {
    id: 'recover-password',
    title: 'Recover the root password',
    instructions,
    ...(member
      ? {
          cli: [
            `aws sts assume-root --region <region> --target-principal ${account.id} --task-policy-arn arn=${PASSWORD_TASK_POLICY} --duration-seconds 900`,
            '# with those credentials exported (no password: AssumeRoot sessions must omit it):',
            'aws iam create-login-profile',
          ].join('\n'),
        }
      : {}),
    warning:
      'The reset link only reaches the root email address: if nobody can read that mailbox, fix that first (AWS Support can help the account owner).',
    check: 'You can sign in as the root user with the new password.',
  };
}

function signInAsRootStep(ctx: StepContext, variant: RunbookVariant): RunbookStep {
  const { account } = ctx;
  const instructions = [
    'Open the AWS sign-in page and choose Root user.',
    `Enter the root email address of account ${account.id}${account.email ? ` (${account.email})` : ''}, the password, and the MFA code.`,
    'If the root user has no MFA device yet, register one right after signing in.',
  ];
  if (variant === 'root-sign-in') {
    instructions.push('If nobody knows the root password, stop here and use the password-recovery variant.');
  }
  return {
    id: 'sign-in-as-root',
    title: 'Sign in as the root user',
    instructions,
    check: `The account menu at the top right shows account ${account.id}, signed in as the root user.`,
  };
}

function openSecurityCredentialsStep(ctx: StepContext): RunbookStep {
  return {
    id: 'open-security-credentials',
    title: "Open the root user's Security credentials",
    instructions: [
      'Choose the account menu at the top right of the console (it shows the account name), then Security credentials.',
      "Scroll to Access keys. The root user is not an IAM user: its keys are only on this page, the root user's own credentials page.",
    ],
    check: keysHaveIds(ctx)
      ? `The Access keys section lists ${keyList(ctx)} (the console shows the full id; compare its first and last four characters).`
      : `The Access keys section lists ${keyList(ctx)}.`,
  };
}

function deactivateKeysStep(ctx: StepContext): RunbookStep {
  const active = ctx.keys.filter((k) => k.status === 'Active');
  const inactive = ctx.keys.filter((k) => k.status === 'Inactive');
  const instructions = ['For each active key: choose Actions, then Deactivate, and confirm.'];
  if (!ctx.generic && inactive.length > 0) {
    instructions.push(
      capitalize(
        `${inactive.map((k) => k.maskedId).join(' and ')} ${inactive.length > 1 ? 'are' : 'is'} already Inactive: nothing to do for ${inactive.length > 1 ? 'them' : 'it'}.`,
      ),
    );
  }
  if (!ctx.generic && ctx.keys.length > 0 && active.length === 0) {
    instructions.push('No key is active, so this step only needs a confirmation.');
  }
  instructions.push(
    'Deactivating is only possible on this path (signed in as root); the AssumeRoot delete task policy cannot do it.',
  );
  const recent = recentUseWarning(ctx);
  const warning = recent ? `${recent} ${DEACTIVATE_FIRST}` : undefined;
  return {
    id: 'deactivate-keys',
    title: 'Deactivate the key first',
    instructions,
    ...(warning ? { warning } : {}),
    check: 'Every root access key shows the status Inactive.',
  };
}

function watchForBreakageStep(ctx: StepContext): RunbookStep {
  const recent = recentlyUsed(ctx).length > 0;
  const wait = ctx.generic
    ? `Wait at least 24 hours when the key was used in the last ${RECENT_USE_DAYS} days, a few minutes otherwise.`
    : recent
      ? 'Wait at least 24 hours: the key was used recently.'
      : `A short wait is enough: the key was not used in the last ${RECENT_USE_DAYS} days.`;
  return {
    id: 'watch-for-breakage',
    title: 'Watch for breakage',
    instructions: [
      wait,
      'Ask the owners found in the first step to watch their workloads. Calls with the inactive key fail with InvalidClientTokenId or AccessDenied.',
      'If something breaks: reactivate the key (Actions, then Activate), move that workload to an IAM role, and start this step again.',
    ],
    check: 'Nothing failed, and CloudTrail shows no recent call signed with the key.',
  };
}

function deleteKeysStep(): RunbookStep {
  return {
    id: 'delete-keys',
    title: 'Delete the key',
    instructions: [
      'For each root access key: choose Actions, then Delete, enter the access key id to confirm, and choose Delete.',
      'Deleted keys cannot be recovered; delete the inactive keys too: any root key, active or inactive, fails the control.',
      'Sign out of the root user session when done.',
    ],
    check: 'The Access keys section shows no key.',
  };
}

function verifyStep(ctx: StepContext): RunbookStep {
  const { account } = ctx;
  const memberCli = [
    `aws sts assume-root --region <region> --target-principal ${account.id} --task-policy-arn arn=${AUDIT_TASK_POLICY} --duration-seconds 900`,
    '# with those credentials exported:',
    "aws iam get-account-summary --query 'SummaryMap.AccountAccessKeysPresent'",
    'aws iam list-access-keys',
  ];
  const roleCli = [
    '# where AssumeRoot cannot reach the account (management or standalone account, feature off): with credentials of a read-only role in it:',
    "aws iam get-account-summary --query 'SummaryMap.AccountAccessKeysPresent'",
  ];
  const cli = ctx.generic ? [...memberCli, ...roleCli] : ctx.centralRootAccess ? memberCli : roleCli;
  return {
    id: 'verify',
    title: 'Confirm, and let rootkey verify',
    instructions: [
      'Confirm this step in Slack (or press Verify now): rootkey reads the account again through its audit path and polls for a few minutes, because IAM is eventually consistent.',
      ctx.generic || ctx.centralRootAccess
        ? 'The key counts as gone only when AccountAccessKeysPresent is 0 and ListAccessKeys is empty.'
        : 'Through the read role only AccountAccessKeysPresent can be read: the key counts as gone when it is 0 (the credential report, up to 4 hours old, only supports that).',
    ],
    cli: cli.join('\n'),
    check:
      ctx.generic || ctx.centralRootAccess
        ? 'AccountAccessKeysPresent is 0 and ListAccessKeys returns no key.'
        : 'AccountAccessKeysPresent is 0.',
  };
}

function afterwards(ctx: StepContext, variant: RunbookVariant): string[] {
  const items = [
    'rootkey records the verification as evidence and marks the Security Hub IAM.4 finding RESOLVED with the evidence digest; the control itself turns PASSED at its next periodic evaluation.',
    'The credential report shows access_key_1_active and access_key_2_active as false only once it is regenerated: it can be up to 4 hours old, so use it as supporting evidence only.',
    'Over the next days, watch the workloads that used the key for InvalidClientTokenId or AccessDenied errors.',
  ];
  if (variant === 'console-privileged-action') {
    items.push(
      'If you used the console action, the member account root user now has no credentials at all; to sign in as root later, allow password recovery first.',
    );
  } else {
    items.push(
      'Keep MFA on the root user and the password in the vault; never create a new root access key. Create IAM roles for automation instead.',
    );
  }
  if (ctx.generic || (!ctx.account.isManagement && !ctx.account.isStandalone)) {
    items.push(
      'To stop new root keys in member accounts, add a service control policy that denies iam:CreateAccessKey when aws:PrincipalArn is arn:aws:iam::*:root.',
    );
  }
  items.push('A root key created again later opens a new case automatically.');
  return items;
}
