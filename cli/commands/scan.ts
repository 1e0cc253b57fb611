import * as z from 'zod';
import { readScenarioFile } from '../scenario-file';
import { EXIT, UsageError, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';
import { isAccountId, type RootAccessFeatures } from '../../functions/core/account';
import { REMOVAL_PATH_LABELS } from '../../functions/core/removal-paths';
import type { RootKey } from '../../functions/core/root-key';
import { AccessDeniedError, describeError } from '../../functions/core/errors';
import { SimulatedOrganization } from '../../functions/adapters/sim/simulated-organization';
import { createIamClientFromCredentials } from '../../functions/adapters/aws/clients';
import { createAwsClients } from '../../functions/adapters/aws/organizations-client';
import { AwsOrganization } from '../../functions/adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../../functions/adapters/aws/aws-root-key-reader';
import type { OrganizationPort } from '../../functions/ports/organization';
import { DEFAULT_READ_ROLE_NAME } from '../../functions/core/shared-names';
import type { RootKeyReaderPort } from '../../functions/ports/root-key-reader';
import {
  DEFAULT_SCAN_CONCURRENCY,
  defaultScanPacing,
  scanAccounts,
  type AccountScanError,
  type AccountScanResult,
  type ScanResult,
} from '../../functions/services/scan-accounts';

/** A progress bar only pays off when the scan takes a moment. */
const PROGRESS_MIN_ACCOUNTS = 5;
/** Version of the `--json` document; bumped only when a field changes meaning or disappears. */
export const SCAN_JSON_SCHEMA_VERSION = 1;

export const SCAN_HELP = `Usage: rootkey scan [--account ID ...] [--org] [--role-name NAME] [--sandbox] [--scenario FILE]
                   [--json] [--concurrency N]

Finds AWS root user access keys (active or inactive: both are non-compliant with Security Hub
IAM.4, PCI DSS 3.2.1 and CIS AWS Foundations) in one account, several, or the whole organization.

Options:
  --account ID        Scan this account (12 digits). Repeat for several accounts.
  --org               Scan every ACTIVE account of the organization. This is also what happens
                      when no --account is given. Not combined with --account.
  --role-name NAME    Role to assume where sts:AssumeRoot cannot reach: the management account,
                      a standalone account, or when centralized root access is off.
                      Default: $ROOTKEY_READ_ROLE_NAME (sandbox: ${DEFAULT_READ_ROLE_NAME}).
  --sandbox           Scan the simulated organization instead of AWS (no credentials needed).
  --scenario FILE     Scenario JSON for the simulated organization (implies --sandbox).
                      Default: functions/adapters/sim/scenarios/default.json.
  --json              Print one JSON document (schemaVersion ${SCAN_JSON_SCHEMA_VERSION}) instead of the table.
  --concurrency N     Accounts read at once, 1-64 (default ${DEFAULT_SCAN_CONCURRENCY}).
  -h, --help          Show this help.

How accounts are read: member accounts through sts:AssumeRoot with the IAMAuditRootUserCredentials
task policy (Regional STS endpoint; key ids and last use); the account you run in with your own
credentials; any other account through --role-name (GetAccountSummary + the credential report).
AWS settings come from the SDK's standard configuration: AWS_REGION, AWS_PROFILE, the default
credential chain, AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>.

Exit codes: 0 all compliant, 3 a root key was found, 2 usage error, 1 runtime error (also when
some accounts could not be read and none had a key).`;

const FLAGS = {
  account: { type: 'string', multiple: true },
  org: { type: 'boolean' },
  'role-name': { type: 'string' },
  sandbox: { type: 'boolean' },
  scenario: { type: 'string' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** IAM role names: 1-64 characters of letters, digits and `+=,.@_-`. */
const roleName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'a role name is 1-64 characters of letters, digits and +=,.@_-');

const optionsSchema = z
  .object({
    account: z
      .array(z.string().refine(isAccountId, { error: (iss) => `account id '${String(iss.input)}' is not 12 digits` }))
      .default([]),
    org: z.boolean().default(false),
    'role-name': roleName.optional(),
    sandbox: z.boolean().default(false),
    scenario: z.string().min(1).optional(),
    json: z.boolean().default(false),
    concurrency: z
      .string()
      .regex(/^\d+$/, '--concurrency must be a whole number from 1 to 64')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 64, '--concurrency must be a whole number from 1 to 64')
      .optional(),
    envRoleName: roleName.optional(),
  })
  .refine((o) => !(o.org && o.account.length > 0), '--org and --account cannot be combined');

export type ScanOptions = z.infer<typeof optionsSchema>;

/** Parses flags and environment at the edge; anything wrong is a UsageError (exit 2). */
export function parseScanOptions(args: string[], env: NodeJS.ProcessEnv): ScanOptions & { help: boolean } {
  const { values } = parseFlags(args, FLAGS);
  if (values.help) return { ...optionsSchema.parse({}), help: true };
  const parsed = optionsSchema.safeParse({
    ...values,
    ...(env.ROOTKEY_READ_ROLE_NAME ? { envRoleName: env.ROOTKEY_READ_ROLE_NAME } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue.path[0] === 'envRoleName' ? 'ROOTKEY_READ_ROLE_NAME' : `--${String(issue.path[0] ?? '')}`;
    throw new UsageError(
      issue.message.includes('--') || issue.message.startsWith('account id')
        ? issue.message
        : `${flag}: ${issue.message}`,
    );
  }
  return { ...parsed.data, help: false };
}

interface ScanPorts {
  source: 'aws' | 'sandbox';
  organization: OrganizationPort;
  reader: RootKeyReaderPort;
  roleName?: string;
  close(): void;
}

function sandboxPorts(options: ScanOptions): ScanPorts {
  const sim = new SimulatedOrganization(readScenarioFile(options.scenario));
  return {
    source: 'sandbox',
    organization: sim,
    reader: sim,
    roleName: options['role-name'] ?? options.envRoleName ?? DEFAULT_READ_ROLE_NAME,
    close: () => undefined,
  };
}

function awsPorts(options: ScanOptions): ScanPorts {
  const clients = createAwsClients();
  const roleName = options['role-name'] ?? options.envRoleName;
  return {
    source: 'aws',
    organization: new AwsOrganization(clients),
    reader: new AwsRootKeyReader({
      sts: clients.sts,
      iam: clients.iam,
      iamFor: (credentials) => createIamClientFromCredentials(credentials),
    }),
    ...(roleName ? { roleName } : {}),
    close: () => {
      clients.sts.destroy();
      clients.iam.destroy();
      clients.organizations.destroy();
    },
  };
}

/**
 * `rootkey scan`: exit 0 when every account is compliant, 3 when any root key was found, 1 when
 * the scan failed or some accounts could not be read and none had a key, 2 for usage errors.
 */
export async function scanCommand(args: string[], io: CliIO): Promise<number> {
  const options = parseScanOptions(args, io.env);
  if (options.help) {
    io.stdout.write(`${SCAN_HELP}\n`);
    return EXIT.ok;
  }
  const ports = options.sandbox || options.scenario ? sandboxPorts(options) : awsPorts(options);
  const progress = progressBar(io);
  let result: ScanResult;
  try {
    result = await scanAccounts({
      organization: ports.organization,
      reader: ports.reader,
      accounts: options.account,
      includeRootCredentials: true,
      ...(ports.roleName ? { roleName: ports.roleName } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      // Paced like an organization sweep must be (issue #18): unpaced, a large organization fails
      // accounts with throttling errors once STS's request rate is reached.
      pacing: defaultScanPacing(),
      onProgress: progress.update,
    });
  } catch (error) {
    progress.clear();
    if (error instanceof UsageError) throw error;
    const detail = describeError(error);
    const hint = hintFor(error);
    io.stderr.write(`rootkey scan: ${detail.message}${hint ? ` — ${hint}` : ''}\n`);
    if (options.json) {
      const doc = {
        schemaVersion: SCAN_JSON_SCHEMA_VERSION,
        source: ports.source,
        exitCode: EXIT.runtimeError,
        error: { ...detail, ...(hint ? { hint } : {}) },
      };
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    return EXIT.runtimeError;
  } finally {
    ports.close();
  }
  progress.clear();
  const exitCode = scanExitCode(result);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(scanJson(result, ports.source, exitCode, new Date()), null, 2)}\n`);
  } else {
    io.stdout.write(renderScanTable(result));
  }
  return exitCode;
}

/**
 * 3 when any key was found (the finding matters most), else 2 when an account named with
 * `--account` is not in the organization (the same usage error `rootkey runbook` exits 2 for),
 * else 1 when any account failed, else 0.
 */
export function scanExitCode(result: ScanResult): number {
  if (result.summary.nonCompliant > 0) return EXIT.rootKeyFound;
  const unknownAccount = result.accounts.some(
    (a) => 'error' in a && a.stage === 'lookup' && a.error.name === 'InvalidInputError',
  );
  if (unknownAccount) return EXIT.usageError;
  if (result.summary.errors > 0) return EXIT.runtimeError;
  return EXIT.ok;
}

function accountType(r: AccountScanResult): 'management' | 'member' | 'standalone' | 'unknown' {
  if ('error' in r && r.stage === 'lookup') return 'unknown';
  if (r.account.isStandalone) return 'standalone';
  return r.account.isManagement ? 'management' : 'member';
}

function publicKey(k: RootKey) {
  // Never the full key id: the masked one is enough to match the console and is safe in logs.
  return {
    maskedId: k.maskedId,
    status: k.status,
    ...(k.createdAt ? { createdAt: k.createdAt } : {}),
    ...(k.lastUsed ? { lastUsed: k.lastUsed } : {}),
  };
}

/**
 * The `--json` document (schemaVersion 1). Stable: fields are only added.
 * `accounts[].status` is COMPLIANT, NON_COMPLIANT or ERROR; key ids are masked.
 */
export function scanJson(result: ScanResult, source: 'aws' | 'sandbox', exitCode: number, now: Date) {
  return {
    schemaVersion: SCAN_JSON_SCHEMA_VERSION,
    source,
    scannedAt: now.toISOString(),
    exitCode,
    features: featuresJson(result.features),
    summary: result.summary,
    accounts: result.accounts.map((r) => {
      const base = { accountId: r.account.id, accountName: r.account.name, type: accountType(r) };
      if ('error' in r) {
        const hint = hintFor(r.error);
        return { ...base, status: 'ERROR' as const, keys: [], error: { ...r.error, ...(hint ? { hint } : {}) } };
      }
      const p = r.posture;
      return {
        ...base,
        status: p.status,
        reason: p.reason,
        keys: p.keys.map(publicKey),
        method: p.method,
        removalPaths: p.removalPaths,
        checkedAt: p.checkedAt,
        ...(p.discrepancy ? { discrepancy: p.discrepancy } : {}),
        // Added for prevention (issue 17): only where the AssumeRoot audit session could read it.
        ...(p.signals.rootCredentials ? { rootCredentials: { ...p.signals.rootCredentials } } : {}),
        requestIds: p.requestIds ?? [],
      };
    }),
  };
}

function featuresJson(f: RootAccessFeatures) {
  return {
    rootCredentialsManagement: f.rootCredentialsManagement,
    rootSessions: f.rootSessions,
    ...(f.unavailableReason ? { unavailableReason: f.unavailableReason } : {}),
  };
}

/**
 * What to do about an error, for people: the refused permission decides the advice.
 * Accepts a thrown error or an {@link AccountScanError}.
 */
export function hintFor(error: unknown): string | undefined {
  const e = error as Partial<AccountScanError> & { name?: string; message?: string };
  const permission = error instanceof AccessDeniedError ? error.permission : e.permission;
  if (permission === 'sts:AssumeRoot') {
    return 'enable centralized root access (RootCredentialsManagement and RootSessions) and allow sts:AssumeRoot with the IAMAuditRootUserCredentials task policy, or pass --role-name';
  }
  if (permission === 'sts:AssumeRole') {
    return 'create the read role in that account with a trust policy for this principal, or pass the right --role-name';
  }
  if (permission?.startsWith('organizations:')) {
    return 'run from the management account or an AWS Organizations delegated administrator, or scan named accounts with --account';
  }
  if (permission?.startsWith('iam:')) {
    return `allow ${permission} to that principal (the read role needs iam:GetAccountSummary, iam:GenerateCredentialReport and iam:GetCredentialReport)`;
  }
  if (e.message?.includes('Region is missing'))
    return 'set AWS_REGION (for example us-east-1) or a region in your profile';
  return undefined;
}

/** The table for people: one line per account, one indented line per key or error, then a summary. */
export function renderScanTable(result: ScanResult): string {
  const header = ['ACCOUNT', 'NAME', 'TYPE', 'STATUS', 'METHOD', 'REMOVAL PATHS'];
  const rows = result.accounts.map((r) => {
    const status = 'error' in r ? 'ERROR' : r.posture.status === 'COMPLIANT' ? 'COMPLIANT' : 'NON-COMPLIANT';
    const method = 'error' in r ? '-' : r.posture.method;
    const paths = 'error' in r ? '-' : r.posture.removalPaths.join(', ');
    return [r.account.id, r.account.name || '-', accountType(r), status, method, paths];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  result.accounts.forEach((r, i) => {
    out.push(line(rows[i]));
    if ('error' in r) {
      const hint = hintFor(r.error);
      out.push(`    error: ${r.error.name}: ${r.error.message}${hint ? ` — ${hint}` : ''}`);
      return;
    }
    for (const key of r.posture.keys)
      out.push(`    ${key.maskedId.startsWith('key ') ? '' : 'key '}${describeKey(key)}`);
    if (r.posture.discrepancy) out.push(`    note: ${r.posture.discrepancy}`);
  });
  out.push('', summaryLine(result));
  if (!result.features.rootSessions) {
    out.push(
      `Centralized root access is off${result.features.unavailableReason ? ` (${result.features.unavailableReason})` : ''}: removal needs the guided runbook (${REMOVAL_PATH_LABELS['root-sign-in']}).`,
    );
  }
  return `${out.join('\n')}\n`;
}

function describeKey(key: RootKey): string {
  const parts = [key.maskedId, key.status.padEnd(8), `created ${day(key.createdAt) ?? 'unknown'}`];
  const used = key.lastUsed;
  if (used?.date || used?.service || used?.region) {
    parts.push(`last used ${[day(used.date), used.service, used.region].filter(Boolean).join(' ')}`);
  } else {
    parts.push('never used');
  }
  return parts.join('  ');
}

function day(iso: string | undefined): string | undefined {
  return iso ? iso.slice(0, 10) : undefined;
}

export function summaryLine(result: ScanResult): string {
  const s = result.summary;
  const keys =
    s.keys > 0
      ? ` (${s.keys} root key${s.keys === 1 ? '' : 's'}: ${s.activeKeys} active, ${s.inactiveKeys} inactive)`
      : '';
  return `${s.accounts} account${s.accounts === 1 ? '' : 's'} scanned: ${s.compliant} compliant, ${s.nonCompliant} non-compliant${keys}, ${s.errors} error${s.errors === 1 ? '' : 's'}.`;
}

/** Progress on stderr, only for a person at a terminal and a scan long enough to need it. */
function progressBar(io: CliIO): { update: (done: number, total: number) => void; clear: () => void } {
  let shown = false;
  const enabled = io.stderr.isTTY === true;
  return {
    update: (done, total) => {
      if (!enabled || total <= PROGRESS_MIN_ACCOUNTS) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.stderr.write(`\rScanning [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} accounts`);
      shown = true;
    },
    clear: () => {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
