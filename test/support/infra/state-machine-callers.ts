import { actionMatches } from '../reliability/iam-statements';
import { PSEUDO_VALUES, resolveIntrinsics } from './resolve-intrinsics';
import type { TemplateJson } from './synth';

/**
 * Who may use a state machine's customer managed key, read from a synthesized template.
 *
 * The Step Functions developer guide, "Data at rest encryption", section "Required permissions for
 * API callers" (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html#using-api-with-encryption-required-permissions),
 * has one table "APIs using State Machine's AWS KMS key | Required by Caller"; {@link KMS_REQUIRED_BY_CALLER}
 * is that table ("--" there is `[]` here). The same page: "For an execution to successfully complete
 * when using customer managed key encryption, the execution role needs to be granted
 * `kms:GenerateDataKey` and `kms:Decrypt` permissions for AWS KMS keys used by the state machine", and
 * Step Functions' encryption context is `aws:states:stateMachineArn` = the state machine's ARN.
 */
export const ENCRYPTION_AT_REST_URL =
  'https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html#using-api-with-encryption-required-permissions';

/**
 * KMS actions a principal that calls a Step Functions API on an encrypted state machine (or its
 * executions) needs itself, per API. CreateStateMachine and UpdateStateMachine (kms:DescribeKey,
 * kms:GenerateDataKey) are CloudFormation's, with the deploying principal, never in a template.
 */
export const KMS_REQUIRED_BY_CALLER: Readonly<Record<string, readonly string[]>> = {
  'states:DescribeStateMachine': ['kms:Decrypt'],
  'states:DescribeStateMachineForExecution': ['kms:Decrypt'],
  'states:StartExecution': [],
  'states:StartSyncExecution': ['kms:Decrypt'],
  'states:SendTaskSuccess': [],
  'states:SendTaskFailure': [],
  'states:StopExecution': [],
  'states:RedriveExecution': [],
  'states:DescribeExecution': ['kms:Decrypt'],
  'states:GetExecutionHistory': ['kms:Decrypt'],
  // Not in the table: a heartbeat carries no data (only the task token), so there is nothing to
  // encrypt. CDK's grantTaskResponse grants it with SendTaskSuccess and SendTaskFailure.
  'states:SendTaskHeartbeat': [],
};

/** What the guide asks of a state machine's own execution role. */
export const EXECUTION_ROLE_KMS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/** The condition key that scopes a KMS grant to one state machine's data. */
export const STATE_MACHINE_CONTEXT = 'kms:EncryptionContext:aws:states:stateMachineArn';

type Resources = Record<string, { Type: string; Properties?: Record<string, TemplateJson> }>;

export interface EncryptedMachine {
  id: string;
  name: string;
  arn: string;
  /** Logical id of its execution role. */
  roleId: string;
  /** Its key (`EncryptionConfiguration.KmsKeyId`), as template JSON text. */
  key: string;
}

/** One principal's Step Functions actions on one state machine (and its executions). */
export interface Caller {
  /** Logical id of the role (or user, group) the policy is attached to. */
  principal: string;
  machine: EncryptedMachine;
  actions: string[];
}

/** A KMS grant on a state machine's key, scoped to one state machine's encryption context. */
export interface ContextGrant {
  principal: string;
  policy: string;
  machineArn: string;
  actions: string[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The state machines with a customer managed key, with the ARNs they get in the fictitious deployment
 * of {@link PSEUDO_VALUES}; only a named one has an ARN a policy can name.
 */
export function encryptedMachines(template: TemplateJson): EncryptedMachine[] {
  const { 'AWS::Partition': partition, 'AWS::Region': region, 'AWS::AccountId': account } = PSEUDO_VALUES;
  const machines = Object.entries((template.Resources ?? {}) as Resources).filter(
    ([, r]) =>
      r.Type === 'AWS::StepFunctions::StateMachine' &&
      r.Properties?.['EncryptionConfiguration']?.['Type'] === 'CUSTOMER_MANAGED_KMS_KEY',
  );
  return machines.map(([id, r]) => {
    const name = resolveIntrinsics(r.Properties!['StateMachineName']) as unknown;
    if (typeof name !== 'string' || name === '') throw new Error(`${id} has no name, so no policy can name its ARN`);
    return {
      id,
      name,
      arn: `arn:${partition}:states:${region}:${account}:stateMachine:${name}`,
      roleId: r.Properties!['RoleArn']['Fn::GetAtt'][0] as string,
      key: JSON.stringify(r.Properties!['EncryptionConfiguration']['KmsKeyId']),
    };
  });
}

interface Attached {
  policy: string;
  principals: string[];
  statement: TemplateJson;
}

/** Every identity-policy statement of the template, with the principals it is attached to. */
function identityStatements(template: TemplateJson): Attached[] {
  const refs = (v: TemplateJson) =>
    list<TemplateJson>(v)
      .map((r) => (r && typeof r === 'object' && 'Ref' in r ? (r.Ref as string) : JSON.stringify(r)))
      .filter(Boolean);
  const out: Attached[] = [];
  for (const [id, r] of Object.entries((template.Resources ?? {}) as Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      const principals = [...refs(p['Roles']), ...refs(p['Users']), ...refs(p['Groups'])];
      for (const statement of list<TemplateJson>(p['PolicyDocument']?.['Statement'])) {
        out.push({ policy: id, principals, statement });
      }
    }
    if (r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User' || r.Type === 'AWS::IAM::Group') {
      for (const inline of list<TemplateJson>(p['Policies'])) {
        for (const statement of list<TemplateJson>(inline['PolicyDocument']?.['Statement'])) {
          out.push({ policy: `${id}/${inline['PolicyName']}`, principals: [id], statement });
        }
      }
    }
  }
  return out;
}

/** Whether an IAM resource pattern (`*`, `?`) matches `arn`. */
function resourceMatches(pattern: string, arn: string): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(arn);
}

/** A statement's resources as text, a state machine's `Ref` (or `Fn::GetAtt Arn`) resolved to its ARN. */
function resourcesOf(statement: TemplateJson, machines: EncryptedMachine[]): string[] {
  const byId = new Map(machines.map((m) => [m.id, m.arn]));
  const withRefs = JSON.parse(JSON.stringify(list(statement.Resource)), (_k, v: TemplateJson) =>
    v &&
    typeof v === 'object' &&
    Array.isArray(v['Fn::GetAtt']) &&
    byId.has(v['Fn::GetAtt'][0]) &&
    v['Fn::GetAtt'][1] === 'Arn'
      ? { Ref: v['Fn::GetAtt'][0] }
      : v,
  ) as TemplateJson[];
  return withRefs.map((r) => {
    const resolved = resolveIntrinsics(r, (id) => byId.get(id)) as unknown;
    return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  });
}

/** Whether a resource covers the state machine itself or any of its executions (Map children included). */
function coversMachine(resource: string, machine: EncryptedMachine): boolean {
  const executions = machine.arn.replace(':stateMachine:', ':execution:');
  return [machine.arn, `${executions}:an-execution`, `${executions}/a-map-run:an-execution`].some((arn) =>
    resourceMatches(resource, arn),
  );
}

/**
 * Every principal with a Step Functions action on one of the encrypted state machines, derived from
 * the template's identity policies (not from a list): a new caller shows up here by itself.
 */
export function callersOf(template: TemplateJson, machines: EncryptedMachine[]): Caller[] {
  const callers = new Map<string, Caller>();
  for (const { principals, statement } of identityStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    const actions = [
      ...list<string>(statement.Action),
      ...list<string>(statement.NotAction).map((a) => `NotAction:${a}`),
    ];
    const states = actions.filter((a) => /^(NotAction:)?(states:|\*$)/i.test(a));
    if (states.length === 0) continue;
    const resources = resourcesOf(statement, machines);
    for (const machine of machines) {
      if (!resources.some((r) => coversMachine(r, machine))) continue;
      for (const principal of principals) {
        const key = `${principal}\0${machine.id}`;
        const caller = callers.get(key) ?? { principal, machine, actions: [] };
        for (const a of states) if (!caller.actions.includes(a)) caller.actions.push(a);
        callers.set(key, caller);
      }
    }
  }
  return [...callers.values()].map((c) => ({ ...c, actions: c.actions.sort() }));
}

/** The Step Functions APIs an action (pattern) of a caller covers, or undefined when the table does not classify it. */
function classified(action: string): string[] | undefined {
  if (action.startsWith('NotAction:')) return undefined;
  if (action.includes('*') || action.includes('?')) return undefined;
  const api = Object.keys(KMS_REQUIRED_BY_CALLER).find((k) => actionMatches(k, action));
  return api ? [api] : undefined;
}

/** The KMS actions the guide requires of a caller for its Step Functions actions. */
export function requiredKms(caller: Caller): string[] {
  const apis = caller.actions.flatMap((a) => classified(a) ?? []);
  return [...new Set(apis.flatMap((api) => KMS_REQUIRED_BY_CALLER[api]!))].sort();
}

/** Caller actions the table does not classify (a wildcard, a NotAction, an API it does not list). */
export function unclassifiedActions(callers: Caller[]): string[] {
  return callers.flatMap((c) =>
    c.actions.filter((a) => !classified(a)).map((a) => `${c.principal} on ${c.machine.name}: ${a}`),
  );
}

/** KMS grants on a machine's key under the encryption context of one state machine. */
export function contextGrants(template: TemplateJson, machines: EncryptedMachine[]): ContextGrant[] {
  const keys = new Set(machines.map((m) => m.key));
  const grants: ContextGrant[] = [];
  for (const { policy, principals, statement } of identityStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    const actions = list<string>(statement.Action).filter((a) => /^kms:/i.test(a));
    if (actions.length === 0) continue;
    if (!list<TemplateJson>(statement.Resource).some((r) => r === '*' || keys.has(JSON.stringify(r)))) continue;
    const condition = (statement.Condition ?? {}) as Record<string, Record<string, TemplateJson>>;
    for (const [, block] of Object.entries(condition)) {
      for (const [key, value] of Object.entries(block)) {
        if (key.toLowerCase() !== STATE_MACHINE_CONTEXT.toLowerCase()) continue;
        for (const arn of list<TemplateJson>(resolveIntrinsics(value)) as string[]) {
          for (const principal of principals) grants.push({ principal, policy, machineArn: arn, actions });
        }
      }
    }
  }
  return grants;
}

/**
 * Callers that lack a KMS action the guide requires for their calls, under the encryption context
 * naming that same state machine (a grant scoped to another state machine does not count).
 */
export function missingCallerKms(template: TemplateJson, machines: EncryptedMachine[]): string[] {
  const grants = contextGrants(template, machines);
  return callersOf(template, machines).flatMap((caller) => {
    const held = new Set(
      grants
        .filter((g) => g.principal === caller.principal && g.machineArn === caller.machine.arn)
        .flatMap((g) => g.actions),
    );
    return requiredKms(caller)
      .filter((action) => ![...held].some((pattern) => actionMatches(pattern, action)))
      .map(
        (action) =>
          `${caller.principal} calls ${caller.actions.join(', ')} on ${caller.machine.name} without ${action}`,
      );
  });
}

/**
 * Grants under a state machine's encryption context that nobody needs: only the state machine's
 * own execution role (kms:Decrypt, kms:GenerateDataKey) and callers whose calls the guide says need
 * KMS (those actions only) may use the key for that state machine's data.
 */
export function unneededContextGrants(template: TemplateJson, machines: EncryptedMachine[]): string[] {
  const callers = callersOf(template, machines);
  return contextGrants(template, machines).flatMap((grant) => {
    const machine = machines.find((m) => m.arn === grant.machineArn);
    if (!machine)
      return [
        `${grant.policy} (${grant.principal}): context names ${grant.machineArn}, no encrypted state machine of this template`,
      ];
    const needed = new Set<string>(grant.principal === machine.roleId ? EXECUTION_ROLE_KMS : []);
    const caller = callers.find((c) => c.principal === grant.principal && c.machine.id === machine.id);
    if (caller) for (const action of requiredKms(caller)) needed.add(action);
    return grant.actions
      .filter((action) => !needed.has(action))
      .map(
        (action) => `${grant.policy} (${grant.principal}): ${action} for ${machine.name}, which its calls do not need`,
      );
  });
}
