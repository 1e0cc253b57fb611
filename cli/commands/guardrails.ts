import * as z from 'zod';
import { createInterface } from 'node:readline/promises';
import { readScenarioFile } from '../scenario-file';
import { EXIT, UsageError, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';
import { AccessDeniedError, GuardrailRefusedError, describeError } from '../../functions/core/errors';
import {
  OU_ID_PATTERN,
  ROOTKEY_SCP_DOCUMENT,
  ROOTKEY_SCP_NAME,
  ROOT_ID_PATTERN,
  type AccountGuardrail,
  type ApplyPlan,
  type GuardrailAssessment,
} from '../../functions/core/guardrails';
import { SimulatedOrganization } from '../../functions/adapters/sim/simulated-organization';
import { createIamClientFromCredentials } from '../../functions/adapters/aws/clients';
import { createAwsClients } from '../../functions/adapters/aws/organizations-client';
import { AwsOrganization } from '../../functions/adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../../functions/adapters/aws/aws-root-key-reader';
import { AwsOrganizationPolicies } from '../../functions/adapters/aws/aws-organization-policies';
import {
  assessOrganization,
  executeApplyPlan,
  planGuardrail,
  type GuardrailDeps,
} from '../../functions/services/guardrails';
import { DEFAULT_READ_ROLE_NAME } from '../../functions/core/shared-names';

/** Version of the `--json` document; bumped only when a field changes meaning or disappears. */
export const GUARDRAILS_JSON_SCHEMA_VERSION = 1;

export const GUARDRAILS_HELP = `Usage: rootkey guardrails [--sandbox] [--scenario FILE] [--json] [--role-name NAME]
       rootkey guardrails apply [--attach-to ROOT_OR_OU_ID] [--yes] [--sandbox] [--scenario FILE]

Checks whether a root access key can come back (read-only): whether a service control policy
that denies iam:CreateAccessKey to the root user covers every member account through the root or
its OUs (policies are evaluated statement by statement, not matched by name), whether the two
centralized root access features (RootCredentialsManagement, RootSessions) are on, and which
member accounts still have any root credential (password, MFA device, signing certificate, key).
SCPs never apply to the management account: it is listed, never counted as covered.

apply creates rootkey's SCP (${ROOTKEY_SCP_NAME}, the AWS Control Tower control "Disallow
Creation of Access Keys for the Root User", tagged rootkey:managed=true) and attaches it to the
root or to --attach-to. Without --yes it prints the plan (policy JSON and calls) and asks first.
It never detaches or edits a policy it did not create.

Options:
  --sandbox           Use the simulated organization (apply changes only that in-memory copy).
  --scenario FILE     Scenario JSON for the simulated organization (implies --sandbox).
  --json              Print one JSON document (schemaVersion ${GUARDRAILS_JSON_SCHEMA_VERSION}) instead of text (check only).
  --role-name NAME    Read role where AssumeRoot cannot reach (default $ROOTKEY_READ_ROLE_NAME).
  --attach-to ID      apply: the root (r-…) or an OU (ou-…-…) to attach to. Default: the root.
  --yes               apply: do not ask.
  -h, --help          Show this help.

Exit codes: check: 0 everything in place, 3 something missing, 2 usage error, 1 failure.
apply: 0 applied or nothing to do, 1 refused (SCPs disabled, quota, missing permission),
declined or failed, 2 usage error.`;

const CHECK_FLAGS = {
  sandbox: { type: 'boolean' },
  scenario: { type: 'string' },
  json: { type: 'boolean' },
  'role-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const APPLY_FLAGS = {
  sandbox: { type: 'boolean' },
  scenario: { type: 'string' },
  'attach-to': { type: 'string' },
  yes: { type: 'boolean' },
  'role-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const roleName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'a role name is 1-64 characters of letters, digits and +=,.@_-');
const attachTo = z.string().refine((s) => ROOT_ID_PATTERN.test(s) || OU_ID_PATTERN.test(s), {
  error: (iss) => `--attach-to must be the root id (r-…) or an OU id (ou-…-…), not '${String(iss.input)}'`,
});

function parse<T extends z.ZodType>(schema: T, values: unknown): z.infer<T> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      issue.message.startsWith('--') ? issue.message : `--${String(issue.path[0] ?? '')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

interface Ports extends GuardrailDeps {
  source: 'aws' | 'sandbox';
  close(): void;
}

function ports(options: { sandbox?: boolean; scenario?: string; roleName?: string }): Ports {
  if (options.sandbox || options.scenario) {
    const sim = new SimulatedOrganization(readScenarioFile(options.scenario));
    return {
      source: 'sandbox',
      organization: sim,
      reader: sim,
      policies: sim,
      roleName: options.roleName ?? DEFAULT_READ_ROLE_NAME,
      close: () => undefined,
    };
  }
  const clients = createAwsClients();
  return {
    source: 'aws',
    organization: new AwsOrganization(clients),
    reader: new AwsRootKeyReader({
      sts: clients.sts,
      iam: clients.iam,
      iamFor: (c) => createIamClientFromCredentials(c),
    }),
    policies: new AwsOrganizationPolicies(clients.organizations),
    ...(options.roleName ? { roleName: options.roleName } : {}),
    close: () => {
      clients.sts.destroy();
      clients.iam.destroy();
      clients.organizations.destroy();
    },
  };
}

/** What to do about a refusal or denial, for people. */
function hintFor(error: unknown): string | undefined {
  if (error instanceof AccessDeniedError && error.permission.startsWith('organizations:')) {
    return `run from the management account or a delegated administrator for AWS Organizations policy management; applying needs organizations:CreatePolicy, organizations:TagResource and organizations:AttachPolicy (reading needs organizations:List*/Describe*)`;
  }
  return undefined;
}

function fail(io: CliIO, error: unknown): number {
  const hint = hintFor(error);
  io.stderr.write(`rootkey guardrails: ${describeError(error).message}${hint ? ` — ${hint}` : ''}\n`);
  return EXIT.runtimeError;
}

/** `rootkey guardrails` and `rootkey guardrails apply`. */
export async function guardrailsCommand(args: string[], io: CliIO): Promise<number> {
  if (args[0] === 'apply') return applyCommand(args.slice(1), io);
  const { values } = parseFlags(args, CHECK_FLAGS);
  if (values.help) {
    io.stdout.write(`${GUARDRAILS_HELP}\n`);
    return EXIT.ok;
  }
  const role = parse(roleName.optional(), values['role-name'] ?? io.env.ROOTKEY_READ_ROLE_NAME);
  const p = ports({ ...values, ...(role ? { roleName: role } : {}) });
  try {
    const { assessment } = await assessOrganization(p);
    const exitCode = assessment.status === 'in-place' ? EXIT.ok : EXIT.rootKeyFound;
    io.stdout.write(
      values.json
        ? `${JSON.stringify(guardrailsJson(assessment, p.source, exitCode, new Date()), null, 2)}\n`
        : renderAssessment(assessment),
    );
    return exitCode;
  } catch (error) {
    if (values.json) {
      const doc = {
        schemaVersion: GUARDRAILS_JSON_SCHEMA_VERSION,
        source: p.source,
        exitCode: EXIT.runtimeError,
        error: describeError(error),
      };
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    return fail(io, error);
  } finally {
    p.close();
  }
}

async function applyCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, APPLY_FLAGS);
  if (values.help) {
    io.stdout.write(`${GUARDRAILS_HELP}\n`);
    return EXIT.ok;
  }
  const target = parse(attachTo.optional(), values['attach-to']);
  const role = parse(roleName.optional(), values['role-name'] ?? io.env.ROOTKEY_READ_ROLE_NAME);
  const p = ports({ ...values, ...(role ? { roleName: role } : {}) });
  try {
    const plan = await planGuardrail(p, target);
    if (plan.kind === 'refused') {
      io.stderr.write(`rootkey guardrails apply: refused — ${plan.reason}\nNothing was changed.\n`);
      return EXIT.runtimeError;
    }
    if (plan.kind === 'nothing-to-do') {
      io.stdout.write(`${plan.reason}\nNothing to do.\n`);
      return EXIT.ok;
    }
    io.stdout.write(renderPlan(plan));
    if (!values.yes) {
      const answer = await ask(io, `Create and attach as planned above? Type "yes" to continue: `);
      if (answer === undefined) {
        io.stderr.write('Not a terminal and no --yes: nothing was changed. Re-run with --yes to apply.\n');
        return EXIT.runtimeError;
      }
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.stdout.write('Nothing was changed.\n');
        return EXIT.runtimeError;
      }
    }
    const applied = await executeApplyPlan(p.policies, plan);
    if (applied) {
      io.stdout.write(
        [
          applied.createdPolicy
            ? `Created ${ROOTKEY_SCP_NAME} (${applied.policyId}).`
            : `Reused ${ROOTKEY_SCP_NAME} (${applied.policyId}).`,
          `Attached it to ${applied.targetId}: ${applied.newlyCovered.length} member account(s) can no longer create a root access key (${applied.newlyCovered.join(', ')}).`,
          `Roll back: aws organizations detach-policy --policy-id ${applied.policyId} --target-id ${applied.targetId}`,
          ...(p.source === 'sandbox'
            ? ['(sandbox: only the in-memory simulated organization of this run changed)']
            : []),
          '',
        ].join('\n'),
      );
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof GuardrailRefusedError) {
      io.stderr.write(`rootkey guardrails apply: refused — ${error.message}\n`);
      return EXIT.runtimeError;
    }
    return fail(io, error);
  } finally {
    p.close();
  }
}

async function ask(io: CliIO, question: string): Promise<string | undefined> {
  if (io.prompt) return io.prompt(question);
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export function renderPlan(plan: Extract<ApplyPlan, { kind: 'apply' }>): string {
  const lines = [
    'Plan:',
    '',
    'Policy (service control policy):',
    JSON.stringify(plan.policyDocument, null, 2),
    '',
    'Calls:',
  ];
  plan.steps.forEach((step, i) => lines.push(`  ${i + 1}. ${step.call} ${JSON.stringify(step.input)}`));
  lines.push('', `Newly covered member accounts: ${plan.newlyCovered.join(', ')}`);
  if (plan.stillUncovered.length > 0) lines.push(`Still not covered afterwards: ${plan.stillUncovered.join(', ')}`);
  lines.push('Nothing is detached or edited. The management account is never covered by an SCP.', '');
  return `${lines.join('\n')}\n`;
}

function coverageText(a: AccountGuardrail): string {
  const c = a.coverage;
  if ('notApplicable' in c) return 'n/a (management account)';
  if (!c.covered) return 'NOT COVERED';
  return c.how === 'deny'
    ? `covered by ${c.policyName} at ${c.targetId}`
    : `covered (nothing allows it at ${c.targetId})`;
}

function credentialsText(a: AccountGuardrail): string {
  if (a.type === 'management') return '- (not read: see `rootkey scan`)';
  if (a.rootCredentials) {
    const c = a.rootCredentials;
    const parts = [
      c.password ? 'password' : '',
      c.mfaDevices ? `${c.mfaDevices} MFA` : '',
      c.signingCertificates ? `${c.signingCertificates} cert` : '',
      a.rootAccessKeys ? `${a.rootAccessKeys} key` : '',
    ].filter(Boolean);
    return parts.length > 0 ? parts.join(', ') : 'none';
  }
  return a.rootAccessKeys ? `${a.rootAccessKeys} key (rest unreadable)` : 'unreadable';
}

export function renderAssessment(a: GuardrailAssessment): string {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  const header = ['ACCOUNT', 'NAME', 'TYPE', 'CREATE ROOT KEY', 'ROOT CREDENTIALS'];
  const rows = a.accounts.map((x) => [x.accountId, x.name || '-', x.type, coverageText(x), credentialsText(x)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const out = [
    `Service control policies: ${a.scpsEnabled ? 'enabled' : 'NOT enabled'}`,
    `Centralized root access: RootCredentialsManagement ${onOff(a.features.rootCredentialsManagement)}, RootSessions ${onOff(a.features.rootSessions)}`,
    a.rootkeyPolicy
      ? `rootkey's policy: ${a.rootkeyPolicy.id} attached to ${a.rootkeyPolicy.attachedTo.join(', ') || 'nothing'}`
      : `rootkey's policy: not created`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ];
  if (a.gaps.length > 0) out.push('Missing:', ...a.gaps.map((g) => `  - ${g}`));
  for (const note of a.notes) out.push(`Note: ${note}`);
  out.push(
    '',
    a.status === 'in-place'
      ? 'All guardrails in place.'
      : a.uncoveredAccounts.length > 0 && a.scpsEnabled
        ? 'Guardrails missing. `rootkey guardrails apply` attaches the SCP (it shows the plan and asks first).'
        : 'Guardrails missing.',
  );
  return `${out.join('\n')}\n`;
}

/** The `--json` document (schemaVersion 1). Stable: fields are only added. */
export function guardrailsJson(a: GuardrailAssessment, source: 'aws' | 'sandbox', exitCode: number, now: Date) {
  return {
    schemaVersion: GUARDRAILS_JSON_SCHEMA_VERSION,
    source,
    checkedAt: now.toISOString(),
    exitCode,
    status: a.status,
    scpsEnabled: a.scpsEnabled,
    features: {
      rootCredentialsManagement: a.features.rootCredentialsManagement,
      rootSessions: a.features.rootSessions,
    },
    accounts: a.accounts.map((x) => ({
      accountId: x.accountId,
      name: x.name,
      type: x.type,
      path: x.path,
      covered: x.coverage.covered,
      coverage: x.coverage,
      hasRootCredentials: x.hasRootCredentials,
      ...(x.rootCredentials ? { rootCredentials: x.rootCredentials } : {}),
      ...(x.rootAccessKeys !== undefined ? { rootAccessKeys: x.rootAccessKeys } : {}),
      ...(x.rootCredentialsUnreadable ? { rootCredentialsUnreadable: x.rootCredentialsUnreadable } : {}),
    })),
    uncoveredAccounts: a.uncoveredAccounts,
    uncoveredTargets: a.uncoveredTargets,
    accountsWithRootCredentials: a.accountsWithRootCredentials,
    ...(a.rootkeyPolicy ? { rootkeyPolicy: a.rootkeyPolicy } : {}),
    gaps: a.gaps,
    notes: a.notes,
    policy: { name: ROOTKEY_SCP_NAME, document: ROOTKEY_SCP_DOCUMENT },
  };
}
