import type { Account, RootAccessFeatures } from '../../core/account';
import type { CredentialReportSignal, PostureReading } from '../../core/account-posture';
import { maskAccessKeyId, type RootKey } from '../../core/root-key';
import { credentialReportKeyLabel } from '../../core/credential-report';
import { TokenBucket } from '../../core/token-bucket';
import {
  AccessDeniedError,
  InvalidInputError,
  KeysChangedError,
  RootAccessUnavailableError,
  TransientAwsError,
} from '../../core/errors';
import type { OrganizationPort } from '../../ports/organization';
import type { ReadOptions, RootKeyReaderPort } from '../../ports/root-key-reader';
import type { ActionRecord, DeletionResult, RootKeyRemoverPort } from '../../ports/root-key-remover';
import type { FindingRef, FindingsPort } from '../../ports/findings';
import type { Scenario, SimFaults, SimKeySpec, SimLimits, SimOrganizationSpec } from './scenario';
import {
  DEFAULT_MAX_SCPS_PER_ORGANIZATION,
  MAX_SCPS_PER_TARGET,
  evaluateCoverage,
  pathTo,
  type RootCredentials,
  type ScpPolicy,
} from '../../core/guardrails';
import { GuardrailRefusedError } from '../../core/errors';
import type { OrganizationPoliciesPort, PolicySnapshot } from '../../ports/organization-policies';

/** A root key inside the simulation, with when it was deleted (reads lag by the visibility delay). */
interface SimKey extends SimKeySpec {
  deletedAt?: number;
}

interface SimAccount {
  account: Account;
  keys: SimKey[];
  readRole: boolean;
  rootPasswordKnown: boolean;
  /** Root credentials besides access keys (password, MFA devices, signing certificates). */
  rootCredentials: RootCredentials;
  /** The root or OU the account sits in. */
  parentId: string;
  /** The account's credential report: when generation started and the keys it will show. */
  report?: { requestedAt: number; keys: RootKey[] };
}

/** The simulated organization's SCP state (AWS Organizations' root, OUs, policies, attachments). */
interface SimScpState {
  rootId: string;
  scpsEnabled: boolean;
  ous: { id: string; name: string; parentId: string }[];
  policies: Map<string, ScpPolicy>;
  attachments: Record<string, string[]>;
  maxScps: number;
  readOnlyCaller: boolean;
  nextPolicy: number;
}

/** AWS attaches FullAWSAccess to the root, every OU and every account when SCPs are enabled. */
export const SIM_FULL_AWS_ACCESS: ScpPolicy = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess',
  awsManaged: true,
  content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
};

function buildScpState(spec: SimOrganizationSpec | undefined, accountIds: string[]): SimScpState {
  const rootId = spec?.rootId ?? 'r-sim0';
  const scpsEnabled = spec?.scpsEnabled ?? true;
  const ous = (spec?.ous ?? []).map((o) => ({ id: o.id, name: o.name, parentId: o.parent ?? rootId }));
  const policies = new Map<string, ScpPolicy>();
  const attachments: Record<string, string[]> = {};
  const attach = (policyId: string, target: string) => {
    attachments[target] = [...(attachments[target] ?? []), policyId];
  };
  if (scpsEnabled) {
    policies.set(SIM_FULL_AWS_ACCESS.id, SIM_FULL_AWS_ACCESS);
    for (const target of [rootId, ...ous.map((o) => o.id), ...accountIds]) attach(SIM_FULL_AWS_ACCESS.id, target);
  }
  for (const p of spec?.policies ?? []) {
    policies.set(p.id, {
      id: p.id,
      name: p.name,
      content: typeof p.content === 'string' ? p.content : JSON.stringify(p.content),
      awsManaged: p.awsManaged,
      ...(p.tags ? { tags: { ...p.tags } } : {}),
    });
    for (const target of p.attachedTo) attach(p.id, target);
  }
  return {
    rootId,
    scpsEnabled,
    ous,
    policies,
    attachments,
    maxScps: spec?.maxScps ?? DEFAULT_MAX_SCPS_PER_ORGANIZATION,
    readOnlyCaller: spec?.readOnlyCaller ?? false,
    nextPolicy: 1,
  };
}

/** IAM reuses a credential report for four hours before GenerateCredentialReport starts a new one. */
const CREDENTIAL_REPORT_REUSE_MS = 4 * 60 * 60 * 1000;

/**
 * GetCredentialReport before the report is ready, as IAM answers it (`ReportNotPresent` when none
 * was requested, `ReportInProgress` while it is being generated). Not transient: poll
 * GenerateCredentialReport until it says COMPLETE.
 */
export class SimCredentialReportNotReadyError extends Error {
  constructor(
    readonly code: 'ReportNotPresent' | 'ReportInProgress',
    accountId: string,
  ) {
    super(`iam:GetCredentialReport for account ${accountId}: ${code}`);
    this.name = code;
  }
}

/** A Security Hub finding as the simulation keeps it. */
export interface SimFinding extends FindingRef {
  accountId: string;
  workflowStatus: 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';
  notes: string[];
}

export interface SimOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  now?: () => number;
  /** Replaces the scenario's latency (benchmarks and tests use 0). */
  sleep?: (ms: number) => Promise<void>;
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: a tiny seeded generator, so that a scenario's faults repeat run after run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The simulated organization: one in-memory model of accounts, root keys, centralized root access
 * and Security Hub findings that implements the same ports as the AWS adapters. It behaves like AWS
 * where it matters (AssumeRoot cannot target the management account; the delete task policy can
 * delete but not read the account summary; deletions become visible after a delay; IAM and STS
 * throttle) and counts every simulated API call.
 *
 * This is a test double by design (DESIGN.md: `functions/adapters/sim`), used by the sandbox,
 * tests and benchmarks — never by the deployed Lambda functions.
 */
export class SimulatedOrganization
  implements OrganizationPort, RootKeyReaderPort, RootKeyRemoverPort, FindingsPort, OrganizationPoliciesPort
{
  private readonly scp: SimScpState;
  private readonly accounts = new Map<string, SimAccount>();
  private features: RootAccessFeatures;
  private faults: SimFaults;
  private random: () => number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly findings = new Map<string, SimFinding>();
  private requestCounter = 0;
  private limits: SimLimits;
  private callerBucket?: TokenBucket;
  private readonly accountBuckets = new Map<string, TokenBucket>();
  /** Simulated API calls by name ("sts:AssumeRoot", "iam:ListAccessKeys", …), faults included. */
  readonly calls: Record<string, number> = {};
  /** Simulated API calls per target account (all APIs, faults and throttled calls included). */
  readonly callsByAccount = new Map<string, number>();
  /** Calls refused by the modeled rate limits (`limits`), by API name. */
  readonly throttled: Record<string, number> = {};
  /** Calls answered with an injected fault. */
  faultsInjected = 0;
  readonly standalone: boolean;

  constructor(scenario: Scenario, options: SimOptions = {}) {
    this.standalone = scenario.standalone;
    this.features = scenario.standalone
      ? { rootCredentialsManagement: false, rootSessions: false }
      : { ...scenario.features };
    this.faults = { ...scenario.faults };
    this.random = seededRandom(scenario.faults.seed);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepReal;
    this.limits = {};
    this.setLimits(scenario.limits ?? {});
    for (const spec of scenario.accounts) {
      const account: Account = {
        id: spec.id,
        name: spec.name,
        isManagement: spec.management,
        ...(scenario.standalone ? { isStandalone: true } : {}),
        ...(spec.email ? { email: spec.email } : {}),
      };
      this.accounts.set(spec.id, {
        account,
        keys: spec.rootKeys.map((k) => ({ ...k })),
        readRole: spec.readRole,
        rootPasswordKnown: spec.rootPasswordKnown,
        rootCredentials: spec.rootCredentials
          ? { ...spec.rootCredentials }
          : { password: true, mfaDevices: 1, signingCertificates: 0 },
        parentId: spec.parent ?? scenario.organization?.rootId ?? 'r-sim0',
      });
      if (spec.rootKeys.length > 0) this.ensureFinding(spec.id);
    }
    this.scp = buildScpState(scenario.organization, [...this.accounts.keys()]);
    const known = new Set([this.scp.rootId, ...this.scp.ous.map((o) => o.id)]);
    for (const a of this.accounts.values()) {
      if (!known.has(a.parentId))
        throw new InvalidInputError(`Account ${a.account.id}: parent ${a.parentId} is not the root or an OU`);
    }
  }

  // ---- OrganizationPort -------------------------------------------------------------------

  async listAccounts(): Promise<Account[]> {
    await this.call('organizations:ListAccounts');
    return [...this.accounts.values()].map((a) => ({ ...a.account }));
  }

  async getAccount(accountId: string): Promise<Account> {
    // DescribeAccount is counted (it is a real call the AWS adapter makes) but never faulted, so
    // that the fault scenarios keep the shape they were measured with.
    this.count('organizations:DescribeAccount', accountId);
    const found = this.accounts.get(accountId);
    if (!found) throw new InvalidInputError(`Account ${accountId} is not in the simulated organization`);
    return { ...found.account };
  }

  async rootAccessFeatures(): Promise<RootAccessFeatures> {
    if (this.standalone) return { ...this.features };
    await this.call('organizations:ListOrganizationsFeatures');
    return { ...this.features };
  }

  // ---- RootKeyReaderPort ------------------------------------------------------------------

  async read(account: Account, options: ReadOptions): Promise<PostureReading> {
    const sim = this.mustGet(account.id);
    const requestIds: string[] = [];
    const canAssumeRoot = options.useAssumeRoot && this.assumeRootTargetable(sim.account);
    if (canAssumeRoot) {
      requestIds.push(await this.call('sts:AssumeRoot', account.id));
      requestIds.push(await this.call('iam:GetAccountSummary', account.id));
      const visible = this.visibleKeys(sim);
      const listedKeys: RootKey[] = [];
      requestIds.push(await this.call('iam:ListAccessKeys', account.id));
      for (const key of visible) {
        requestIds.push(await this.call('iam:GetAccessKeyLastUsed', account.id));
        listedKeys.push(this.toRootKey(key, true));
      }
      const signals: PostureReading['signals'] = { accountAccessKeysPresent: visible.length, listedKeys };
      if (options.includeRootCredentials) {
        requestIds.push(await this.call('iam:GetLoginProfile', account.id));
        requestIds.push(await this.call('iam:ListMFADevices', account.id));
        requestIds.push(await this.call('iam:ListSigningCertificates', account.id));
        signals.rootCredentials = { ...sim.rootCredentials };
      }
      return {
        accountId: account.id,
        method: 'assume-root-audit',
        signals,
        readAt: new Date(this.now()).toISOString(),
        requestIds,
      };
    }
    if (!options.roleName) {
      throw new AccessDeniedError(
        'sts:AssumeRoot',
        `account ${account.id} (${sim.account.isManagement ? 'the management account cannot be targeted by AssumeRoot' : 'centralized root access is not enabled'}); pass --role-name to read it through a role`,
      );
    }
    if (!sim.readRole) {
      requestIds.push(await this.call('sts:AssumeRole', account.id));
      throw new AccessDeniedError('sts:AssumeRole', `arn:aws:iam::${account.id}:role/${options.roleName}`);
    }
    requestIds.push(await this.call('sts:AssumeRole', account.id));
    requestIds.push(await this.call('iam:GetAccountSummary', account.id));
    const visible = this.visibleKeys(sim);
    const reading: PostureReading = {
      accountId: account.id,
      method: 'read-only-role',
      signals: { accountAccessKeysPresent: visible.length },
      readAt: new Date(this.now()).toISOString(),
      requestIds,
    };
    if (options.includeCredentialReport) {
      requestIds.push(await this.call('iam:GenerateCredentialReport', account.id));
      requestIds.push(await this.call('iam:GetCredentialReport', account.id));
      reading.signals.credentialReport = {
        generatedAt: new Date(this.now()).toISOString(),
        // Like the real report: no key ids, only slots (key 1, key 2).
        keys: visible.map((k, i) => ({ ...this.toRootKey(k, false), maskedId: credentialReportKeyLabel(i + 1) })),
      };
    }
    return reading;
  }

  // ---- Raw IAM/STS calls of a credential-report scan (the benchmark's baseline) ---------------

  /** `sts:AssumeRole` into `roleName` of the account (the session is implicit in the calls that follow). */
  async assumeRole(accountId: string, roleName: string): Promise<string> {
    const sim = this.mustGet(accountId);
    const requestId = await this.call('sts:AssumeRole', accountId);
    if (!sim.readRole) throw new AccessDeniedError('sts:AssumeRole', `arn:aws:iam::${accountId}:role/${roleName}`);
    return requestId;
  }

  /**
   * `iam:GenerateCredentialReport`: STARTED when no report younger than four hours exists,
   * INPROGRESS until `limits.credentialReportMs` have passed, COMPLETE afterwards.
   */
  async generateCredentialReport(accountId: string): Promise<'STARTED' | 'INPROGRESS' | 'COMPLETE'> {
    const sim = this.mustGet(accountId);
    await this.call('iam:GenerateCredentialReport', accountId);
    const now = this.now();
    if (!sim.report || now >= sim.report.requestedAt + CREDENTIAL_REPORT_REUSE_MS) {
      // Like the real report: no key ids, only slots (key 1, key 2).
      const keys = this.visibleKeys(sim).map((k, i) => ({
        ...this.toRootKey(k, false),
        maskedId: credentialReportKeyLabel(i + 1),
      }));
      sim.report = { requestedAt: now, keys };
      return (this.limits.credentialReportMs ?? 0) > 0 ? 'STARTED' : 'COMPLETE';
    }
    return now < sim.report.requestedAt + (this.limits.credentialReportMs ?? 0) ? 'INPROGRESS' : 'COMPLETE';
  }

  /** `iam:GetCredentialReport`: the root user's row; throws {@link SimCredentialReportNotReadyError} before COMPLETE. */
  async getCredentialReport(accountId: string): Promise<CredentialReportSignal> {
    const sim = this.mustGet(accountId);
    await this.call('iam:GetCredentialReport', accountId);
    if (!sim.report) throw new SimCredentialReportNotReadyError('ReportNotPresent', accountId);
    const readyAt = sim.report.requestedAt + (this.limits.credentialReportMs ?? 0);
    if (this.now() < readyAt) throw new SimCredentialReportNotReadyError('ReportInProgress', accountId);
    return { generatedAt: new Date(readyAt).toISOString(), keys: sim.report.keys.map((k) => ({ ...k })) };
  }

  // ---- RootKeyRemoverPort -----------------------------------------------------------------

  async deleteRootKeys(accountId: string, approvedMaskedKeyIds: string[]): Promise<DeletionResult> {
    const sim = this.mustGet(accountId);
    const actions: ActionRecord[] = [];
    const record = (api: string, requestId: string, keyId?: string): void => {
      actions.push({
        api,
        requestId,
        outcome: 'success',
        at: new Date(this.now()).toISOString(),
        ...(keyId ? { keyId } : {}),
      });
    };
    if (!this.assumeRootTargetable(sim.account)) {
      throw new RootAccessUnavailableError(
        sim.account.isManagement || sim.account.isStandalone
          ? `AssumeRoot cannot target account ${accountId}: it is the ${sim.account.isManagement ? 'management' : 'standalone'} account`
          : `Centralized root access (RootSessions) is not enabled for the organization of account ${accountId}`,
      );
    }
    record('sts:AssumeRoot', await this.call('sts:AssumeRoot', accountId));
    record('iam:ListAccessKeys', await this.call('iam:ListAccessKeys', accountId));
    // The delete task policy lists what exists now (not what reads lagging behind show).
    const current = sim.keys.filter((k) => k.deletedAt === undefined);
    const currentMasked = current.map((k) => maskAccessKeyId(k.id)).sort();
    const approved = new Set(approvedMaskedKeyIds);
    // Same rule as the AWS adapter: a key nobody approved stops everything; an approved key that is
    // already gone (a retry after a half-finished deletion) is not a change.
    if (currentMasked.some((id) => !approved.has(id))) {
      throw new KeysChangedError([...approvedMaskedKeyIds].sort(), currentMasked);
    }
    const deletedKeys: string[] = [];
    for (const key of current) {
      const masked = maskAccessKeyId(key.id);
      record('iam:DeleteAccessKey', await this.call('iam:DeleteAccessKey', accountId), masked);
      key.deletedAt = this.now();
      deletedKeys.push(masked);
    }
    return { accountId, deletedKeys, actions };
  }

  // ---- FindingsPort -----------------------------------------------------------------------

  async findRootKeyFinding(accountId: string): Promise<FindingRef | undefined> {
    const f = this.findings.get(accountId);
    return f ? { id: f.id, productArn: f.productArn } : undefined;
  }

  async markNotified(finding: FindingRef, note: string): Promise<void> {
    this.updateFinding(finding, 'NOTIFIED', note);
  }

  async markResolved(finding: FindingRef, note: string): Promise<void> {
    this.updateFinding(finding, 'RESOLVED', note);
  }

  async markSuppressed(finding: FindingRef, note: string): Promise<void> {
    this.updateFinding(finding, 'SUPPRESSED', note);
  }

  // ---- OrganizationPoliciesPort ----------------------------------------------------------

  async policySnapshot(): Promise<PolicySnapshot> {
    if (this.standalone)
      throw new RootAccessUnavailableError(
        'A standalone account has no AWS Organization and no service control policies',
      );
    await this.call('organizations:ListRoots');
    await this.call('organizations:ListPoliciesForTarget');
    return this.scpSnapshot();
  }

  async createPolicy(input: {
    Name: string;
    Description: string;
    Content: string;
    Tags: { Key: string; Value: string }[];
  }): Promise<{ policyId: string; requestId: string }> {
    const requestId = await this.call('organizations:CreatePolicy');
    this.assertCanManagePolicies('organizations:CreatePolicy');
    if (!this.scp.scpsEnabled)
      throw new GuardrailRefusedError(
        'scps-disabled',
        'PolicyTypeNotEnabledException: SERVICE_CONTROL_POLICY is not enabled',
      );
    if (this.scp.policies.size >= this.scp.maxScps) {
      throw new GuardrailRefusedError('policy-quota', 'ConstraintViolationException: POLICY_NUMBER_LIMIT_EXCEEDED');
    }
    const policyId = `p-sim${(this.scp.nextPolicy++).toString().padStart(8, '0')}`;
    this.scp.policies.set(policyId, {
      id: policyId,
      name: input.Name,
      content: input.Content,
      tags: Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])),
    });
    return { policyId, requestId };
  }

  async attachPolicy(policyId: string, targetId: string): Promise<{ requestId: string }> {
    const requestId = await this.call('organizations:AttachPolicy');
    this.assertCanManagePolicies('organizations:AttachPolicy');
    if (!this.scp.policies.has(policyId)) throw new InvalidInputError(`PolicyNotFoundException: ${policyId}`);
    const known =
      targetId === this.scp.rootId || this.scp.ous.some((o) => o.id === targetId) || this.accounts.has(targetId);
    if (!known) throw new InvalidInputError(`TargetNotFoundException: ${targetId}`);
    const attached = this.scp.attachments[targetId] ?? [];
    if (attached.includes(policyId)) return { requestId }; // DuplicatePolicyAttachment: already where we want it
    if (attached.length >= MAX_SCPS_PER_TARGET) {
      throw new GuardrailRefusedError(
        'attachment-quota',
        'ConstraintViolationException: MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
      );
    }
    this.scp.attachments[targetId] = [...attached, policyId];
    return { requestId };
  }

  /** Detaches a policy (the rollback in docs/guardrails.md, done by an administrator; rootkey itself never detaches). */
  detachPolicy(policyId: string, targetId: string): void {
    this.scp.attachments[targetId] = (this.scp.attachments[targetId] ?? []).filter((id) => id !== policyId);
  }

  private assertCanManagePolicies(permission: string): void {
    if (this.scp.readOnlyCaller)
      throw new AccessDeniedError(permission, 'the caller (it may read but not manage policies)');
  }

  private scpSnapshot(): PolicySnapshot {
    return {
      rootId: this.scp.rootId,
      scpsEnabled: this.scp.scpsEnabled,
      ous: this.scp.ous.map((o) => ({ ...o })),
      accounts: [...this.accounts.values()].map((a) => ({
        id: a.account.id,
        name: a.account.name,
        isManagement: a.account.isManagement,
        parentId: a.parentId,
      })),
      policies: [...this.scp.policies.values()].map((p) => ({ ...p, ...(p.tags ? { tags: { ...p.tags } } : {}) })),
      attachments: Object.fromEntries(Object.entries(this.scp.attachments).map(([k, v]) => [k, [...v]])),
      scpCount: this.scp.policies.size,
      maxScps: this.scp.maxScps,
    };
  }

  // ---- What people (and faults) do to the simulated world --------------------------------

  /** `IAMDeleteRootUserCredentials` in an AssumeRoot session: password, MFA, certificates (and keys) go. */
  async deleteRootCredentials(accountId: string): Promise<{ deleted: RootCredentials; requestIds: string[] }> {
    const sim = this.mustGet(accountId);
    if (!this.assumeRootTargetable(sim.account) || !this.features.rootCredentialsManagement) {
      throw new RootAccessUnavailableError(`Root credentials of account ${accountId} cannot be deleted centrally`);
    }
    const requestIds = [await this.call('sts:AssumeRoot', accountId)];
    const deleted = { ...sim.rootCredentials };
    if (deleted.password) requestIds.push(await this.call('iam:DeleteLoginProfile', accountId));
    for (let i = 0; i < deleted.mfaDevices; i++) requestIds.push(await this.call('iam:DeactivateMFADevice', accountId));
    for (let i = 0; i < deleted.signingCertificates; i++)
      requestIds.push(await this.call('iam:DeleteSigningCertificate', accountId));
    sim.rootCredentials = { password: false, mfaDevices: 0, signingCertificates: 0 };
    return { deleted, requestIds };
  }

  /** An operator deletes the root keys by hand (the runbook's last step). */
  removeKeysByOperator(accountId: string): string[] {
    const sim = this.mustGet(accountId);
    const removed: string[] = [];
    for (const key of sim.keys) {
      if (key.deletedAt === undefined) {
        key.deletedAt = this.now();
        removed.push(maskAccessKeyId(key.id));
      }
    }
    return removed;
  }

  /** Somebody signs in as root and creates a key (a new case, or a key appearing mid-approval). */
  createRootKey(accountId: string, key?: Partial<SimKeySpec>): string {
    const sim = this.mustGet(accountId);
    const live = sim.keys.filter((k) => k.deletedAt === undefined);
    if (live.length >= 2) throw new InvalidInputError(`Account ${accountId} already has two root access keys`);
    // An SCP on the account's path denies it, as AWS would (the management account is never affected).
    if (!sim.account.isManagement && !sim.account.isStandalone) {
      const coverage = evaluateCoverage(this.scpSnapshot(), accountId, [
        ...pathTo(this.scpSnapshot(), sim.parentId),
        accountId,
      ]);
      if (coverage.covered) {
        throw new AccessDeniedError(
          'iam:CreateAccessKey',
          `the root user of account ${accountId} (${coverage.how === 'deny' ? `explicit deny in service control policy ${coverage.policyName} attached to ${coverage.targetId}` : `no service control policy on ${coverage.targetId} allows it`})`,
        );
      }
    }
    const id =
      key?.id ??
      `AKIA${Array.from({ length: 16 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(this.random() * 32)]).join('')}`;
    sim.keys.push({
      id,
      status: key?.status ?? 'Active',
      createdAt: key?.createdAt ?? new Date(this.now()).toISOString(),
      ...(key?.lastUsed ? { lastUsed: key.lastUsed } : {}),
    });
    this.ensureFinding(accountId, true);
    return maskAccessKeyId(id);
  }

  setFeatures(features: RootAccessFeatures): void {
    this.features = { ...features };
  }

  /** Replaces the modeled rate limits; buckets start full again. */
  setLimits(limits: SimLimits): void {
    this.limits = { ...limits };
    this.callerBucket = limits.perCaller ? new TokenBucket(limits.perCaller, this.now()) : undefined;
    this.accountBuckets.clear();
  }

  setFaults(faults: Partial<SimFaults>): void {
    this.faults = { ...this.faults, ...faults };
    if (faults.seed !== undefined) this.random = seededRandom(faults.seed);
  }

  rootPasswordKnown(accountId: string): boolean {
    return this.mustGet(accountId).rootPasswordKnown;
  }

  /** Keys that exist now (deleted ones excluded, whatever reads still show). */
  liveKeyIds(accountId: string): string[] {
    return this.mustGet(accountId)
      .keys.filter((k) => k.deletedAt === undefined)
      .map((k) => maskAccessKeyId(k.id));
  }

  finding(accountId: string): SimFinding | undefined {
    const f = this.findings.get(accountId);
    return f ? { ...f, notes: [...f.notes] } : undefined;
  }

  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  // ---- internals --------------------------------------------------------------------------

  private assumeRootTargetable(account: Account): boolean {
    return !account.isManagement && !account.isStandalone && this.features.rootSessions;
  }

  private visibleKeys(sim: SimAccount): SimKey[] {
    const now = this.now();
    return sim.keys.filter((k) => k.deletedAt === undefined || now < k.deletedAt + this.faults.visibilityDelayMs);
  }

  private toRootKey(key: SimKey, withId: boolean): RootKey {
    return {
      ...(withId ? { id: key.id } : {}),
      maskedId: maskAccessKeyId(key.id),
      status: key.status,
      createdAt: key.createdAt,
      ...(key.lastUsed ? { lastUsed: { ...key.lastUsed } } : {}),
    };
  }

  private mustGet(accountId: string): SimAccount {
    const sim = this.accounts.get(accountId);
    if (!sim) throw new InvalidInputError(`Account ${accountId} is not in the simulated organization`);
    return sim;
  }

  private ensureFinding(accountId: string, reopen = false): void {
    const existing = this.findings.get(accountId);
    if (existing && !reopen) return;
    if (existing && reopen && existing.workflowStatus !== 'RESOLVED') return;
    this.findings.set(accountId, {
      accountId,
      id: `arn:aws:securityhub:us-east-1:${accountId}:security-control/IAM.4/finding/sim-${accountId}`,
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      workflowStatus: 'NEW',
      notes: [],
    });
  }

  private updateFinding(ref: FindingRef, status: SimFinding['workflowStatus'], note: string): void {
    let f = [...this.findings.values()].find((x) => x.id === ref.id);
    if (!f) {
      // A finding the simulation did not generate reached the workflow through an event (the sandbox's
      // POST /api/events): Security Hub would hold it, so the simulation takes it in for its account.
      const accountId = /:(\d{12}):/.exec(ref.id)?.[1];
      if (!accountId || !this.accounts.has(accountId)) throw new InvalidInputError(`No finding ${ref.id}`);
      f = { accountId, id: ref.id, productArn: ref.productArn, workflowStatus: 'NEW', notes: [] };
      this.findings.set(accountId, f);
    }
    f.workflowStatus = status;
    f.notes.push(note);
  }

  /**
   * The token bucket a call counts against: `iam:*` calls run inside the target account's session
   * and use that account's quota; `sts:*` and `organizations:*` use the caller's credentials.
   */
  private bucketFor(api: string, accountId?: string): TokenBucket | undefined {
    if (!api.startsWith('iam:')) return this.callerBucket;
    const limit = this.limits.perAccount;
    if (!limit || !accountId) return undefined;
    let bucket = this.accountBuckets.get(accountId);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.now());
      this.accountBuckets.set(accountId, bucket);
    }
    return bucket;
  }

  private count(api: string, accountId?: string): void {
    this.calls[api] = (this.calls[api] ?? 0) + 1;
    if (accountId) this.callsByAccount.set(accountId, (this.callsByAccount.get(accountId) ?? 0) + 1);
  }

  /** One simulated API call: counted, delayed, rate-limited, and maybe answered with an injected fault. */
  private async call(api: string, accountId?: string): Promise<string> {
    this.count(api, accountId);
    if (this.faults.latencyMs > 0) await this.sleep(this.faults.latencyMs);
    const bucket = this.bucketFor(api, accountId);
    if (bucket && !bucket.tryTake(this.now())) {
      this.throttled[api] = (this.throttled[api] ?? 0) + 1;
      this.requestCounter++;
      const requestId = `sim-${this.requestCounter.toString(16).padStart(8, '0')}`;
      // Worded as the AWS adapters word an SDK ThrottlingException (aws-errors.ts toRootKeyError).
      throw new TransientAwsError(
        `${api} for ${accountId ? `account ${accountId}` : 'the caller'} failed and may succeed later: Throttling: Rate exceeded (request id ${requestId})`,
      );
    }
    const roll = this.random();
    if (roll < this.faults.throttleRate) {
      this.faultsInjected++;
      throw new TransientAwsError(
        `Simulated throttling: ${api}${accountId ? ` for ${accountId}` : ''} (Rate exceeded)`,
      );
    }
    if (roll < this.faults.throttleRate + this.faults.serverErrorRate) {
      this.faultsInjected++;
      throw new TransientAwsError(`Simulated 5xx: ${api}${accountId ? ` for ${accountId}` : ''} (ServiceUnavailable)`);
    }
    this.requestCounter++;
    return `sim-${this.requestCounter.toString(16).padStart(8, '0')}`;
  }
}
