import * as z from 'zod';
import { readScenarioFile } from '../scenario-file';
import { EXIT, UsageError, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';
import { isAccountId } from '../../functions/core/account';
import type { AccountPosture } from '../../functions/core/account-posture';
import {
  buildRunbook,
  genericRunbooks,
  RUNBOOK_VARIANTS,
  type Runbook,
  type RunbookVariant,
} from '../../functions/core/runbook';
import { renderRunbookMarkdown, renderRunbooksMarkdown } from '../../functions/core/runbook-markdown';
import { keysForEvidence } from '../../functions/core/verification';
import { SimulatedOrganization } from '../../functions/adapters/sim/simulated-organization';
import { createIamClientFromCredentials } from '../../functions/adapters/aws/clients';
import { createAwsClients } from '../../functions/adapters/aws/organizations-client';
import { AwsOrganization } from '../../functions/adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../../functions/adapters/aws/aws-root-key-reader';
import type { OrganizationPort } from '../../functions/ports/organization';
import type { RootKeyReaderPort } from '../../functions/ports/root-key-reader';
import { DEFAULT_SETTINGS } from '../../functions/services/dependencies';
import { detectAccount } from '../../functions/services/scan-accounts';
import { DEFAULT_READ_ROLE_NAME } from '../../functions/core/shared-names';

/** Version of the `--format json` document; bumped only when a field changes meaning or disappears. */
export const RUNBOOK_JSON_SCHEMA_VERSION = 1;

export const RUNBOOK_HELP = `Usage: rootkey runbook [--account ID] [--format md|json] [--variant VARIANT]
                      [--sandbox] [--scenario FILE] [--role-name NAME]

Prints the guided manual runbook that removes an AWS root user access key: exact console steps,
the CLI equivalent where one exists, what to watch for, and what to check afterwards.

Without --account it prints the generic runbook with every variant. With --account it reads the
account first (like \`rootkey scan\`), lists its keys, and picks the variant that fits:
  console-privileged-action  member account reached by centralized root access: the management
                             account's IAM console, Root access management, Take privileged action
                             (no root sign-in; deletes, cannot deactivate)
  root-sign-in               management or standalone account, or the feature is off: sign in as
                             root, account menu, Security credentials; deactivate, then delete
  password-recovery          nobody knows the root password: recover it first, then sign in

Options:
  --account ID        The account (12 digits) to read and write the runbook for.
  --format md|json    Markdown for people (default) or one JSON document (schemaVersion ${RUNBOOK_JSON_SCHEMA_VERSION}).
  --variant VARIANT   Force a variant (${RUNBOOK_VARIANTS.join(', ')}); it must be available for the account.
  --sandbox           Read the simulated organization instead of AWS (no credentials needed).
  --scenario FILE     Scenario JSON for the simulated organization (implies --sandbox).
  --role-name NAME    Role to assume where sts:AssumeRoot cannot reach (management or standalone account).
                      Default: $ROOTKEY_READ_ROLE_NAME (sandbox: ${DEFAULT_READ_ROLE_NAME}).
  -h, --help          Show this help.

Exit codes: 0 printed, 2 usage error (bad flag, bad account id, variant not available,
account not in the organization), 1 runtime error (AWS refused or failed).`;

const FLAGS = {
  account: { type: 'string' },
  format: { type: 'string' },
  variant: { type: 'string' },
  sandbox: { type: 'boolean' },
  scenario: { type: 'string' },
  'role-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const roleName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'a role name is 1-64 characters of letters, digits and +=,.@_-');

const optionsSchema = z.object({
  account: z
    .string()
    .refine(isAccountId, { error: (iss) => `account id '${String(iss.input)}' is not 12 digits` })
    .optional(),
  format: z.enum(['md', 'json'], { error: "--format must be 'md' or 'json'" }).default('md'),
  variant: z
    .enum(RUNBOOK_VARIANTS as [RunbookVariant, ...RunbookVariant[]], {
      error: `--variant must be one of ${RUNBOOK_VARIANTS.join(', ')}`,
    })
    .optional(),
  sandbox: z.boolean().default(false),
  scenario: z.string().min(1).optional(),
  'role-name': roleName.optional(),
  envRoleName: roleName.optional(),
});

export type RunbookOptions = z.infer<typeof optionsSchema>;

/** Parses flags and environment at the edge; anything wrong is a UsageError (exit 2). */
export function parseRunbookOptions(args: string[], env: NodeJS.ProcessEnv): RunbookOptions & { help: boolean } {
  const { values } = parseFlags(args, FLAGS);
  if (values.help) return { ...optionsSchema.parse({}), help: true };
  const parsed = optionsSchema.safeParse({
    ...values,
    ...(env.ROOTKEY_READ_ROLE_NAME ? { envRoleName: env.ROOTKEY_READ_ROLE_NAME } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const flag = key === 'envRoleName' ? 'ROOTKEY_READ_ROLE_NAME' : `--${key}`;
    const message = issue?.message ?? 'invalid options';
    throw new UsageError(message.includes('--') || message.startsWith('account id') ? message : `${flag}: ${message}`);
  }
  return { ...parsed.data, help: false };
}

interface ReadPorts {
  organization: OrganizationPort;
  reader: RootKeyReaderPort;
  roleName?: string;
  /** Whether someone knows the root password, when the source can tell (the simulation can). */
  rootPasswordKnown?: (accountId: string) => boolean;
  close(): void;
}

function sandboxPorts(options: RunbookOptions): ReadPorts {
  const sim = new SimulatedOrganization(readScenarioFile(options.scenario));
  return {
    organization: sim,
    reader: sim,
    roleName: options['role-name'] ?? options.envRoleName ?? DEFAULT_READ_ROLE_NAME,
    rootPasswordKnown: (id) => sim.rootPasswordKnown(id),
    close: () => undefined,
  };
}

function awsPorts(options: RunbookOptions): ReadPorts {
  const clients = createAwsClients();
  const role = options['role-name'] ?? options.envRoleName;
  return {
    organization: new AwsOrganization(clients),
    reader: new AwsRootKeyReader({
      sts: clients.sts,
      iam: clients.iam,
      iamFor: (credentials) => createIamClientFromCredentials(credentials),
    }),
    ...(role ? { roleName: role } : {}),
    close: () => {
      clients.sts.destroy();
      clients.iam.destroy();
      clients.organizations.destroy();
    },
  };
}

/** The account facts the JSON document carries next to its runbook (masked keys only). */
function accountSummary(posture: AccountPosture): Record<string, unknown> {
  return {
    id: posture.account.id,
    name: posture.account.name,
    type: posture.account.isStandalone ? 'standalone' : posture.account.isManagement ? 'management' : 'member',
    status: posture.status,
    reason: posture.reason,
    method: posture.method,
    keys: keysForEvidence(posture.keys),
    removalPaths: posture.removalPaths,
    checkedAt: posture.checkedAt,
  };
}

const GENERIC_TITLE = 'Remove an AWS root user access key: guided runbook';
const GENERIC_INTRO = [
  'Pick the variant that fits the account: the privileged action for a member account that centralized root access reaches; root sign-in for the management account, a standalone account, or when the feature is off; password recovery first when nobody knows the root password.',
  '`rootkey runbook --account ID` reads the account and picks the variant for you. Any root key, active or inactive, fails Security Hub IAM.4.',
];

/**
 * `rootkey runbook`: prints the guided manual runbook, generic (every variant) or for one account
 * after reading it. Exit 0 printed, 2 usage (including a variant the account cannot use or an
 * account outside the organization: InvalidInputError), 1 runtime errors.
 */
export async function runbookCommand(args: string[], io: CliIO): Promise<number> {
  const options = parseRunbookOptions(args, io.env);
  if (options.help) {
    io.stdout.write(`${RUNBOOK_HELP}\n`);
    return EXIT.ok;
  }
  const now = new Date();

  if (!options.account) {
    const runbooks = genericRunbooks(now, options.variant);
    io.stdout.write(
      options.format === 'json'
        ? `${JSON.stringify({ schemaVersion: RUNBOOK_JSON_SCHEMA_VERSION, generic: true, runbooks }, null, 2)}\n`
        : renderRunbooksMarkdown(runbooks, GENERIC_TITLE, GENERIC_INTRO),
    );
    return EXIT.ok;
  }

  const ports = options.sandbox || options.scenario ? sandboxPorts(options) : awsPorts(options);
  let posture: AccountPosture;
  let runbook: Runbook;
  try {
    posture = await detectAccount(
      {
        organization: ports.organization,
        reader: ports.reader,
        settings: { ...DEFAULT_SETTINGS, ...(ports.roleName ? { readRoleName: ports.roleName } : {}) },
      },
      options.account,
    );
    const rootPasswordKnown = ports.rootPasswordKnown?.(posture.account.id);
    runbook = buildRunbook({
      account: posture.account,
      removalPaths: posture.removalPaths,
      keys: posture.keys,
      now,
      ...(rootPasswordKnown !== undefined ? { rootPasswordKnown } : {}),
      ...(options.variant ? { variant: options.variant } : {}),
    });
  } finally {
    ports.close();
  }

  if (posture.status === 'COMPLIANT') {
    // Still print the runbook (someone may want it for reference), but say plainly there is nothing to do.
    io.stderr.write(`rootkey runbook: account ${posture.account.id} has no root access key: ${posture.reason}\n`);
  }
  if (options.format === 'json') {
    const doc = {
      schemaVersion: RUNBOOK_JSON_SCHEMA_VERSION,
      generic: false,
      account: accountSummary(posture),
      runbooks: [runbook],
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const status =
      posture.status === 'COMPLIANT'
        ? `> Status: COMPLIANT. ${posture.reason} Nothing to remove; the steps are for reference.\n\n`
        : `> Status: NON-COMPLIANT. ${posture.reason}\n\n`;
    const md = renderRunbookMarkdown(runbook);
    const [title, ...rest] = md.split('\n');
    io.stdout.write([title, '', status.trimEnd(), ...rest].join('\n'));
  }
  return EXIT.ok;
}
