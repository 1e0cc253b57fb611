/**
 * Turns the state machines of a synthesized CloudFormation template into plain Amazon States
 * Language: `DefinitionString` is usually an `Fn::Join` of literal JSON and references
 * (`Fn::GetAtt` of the task functions, `Ref` of other state machines, pseudo parameters). They are
 * resolved to placeholder ARNs of a fictitious account, so that the definition is valid ASL that a
 * local runner (and asl-validator) accepts. A Lambda function's placeholder name is its task id
 * (env `ROOTKEY_TASK`), which is how the local runner binds each Task state to its handler.
 */

/** A CloudFormation template, as far as this module reads it. */
export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** One state machine found in a template. */
export interface ExtractedStateMachine {
  logicalId: string;
  /** The `rootkey:workflow` tag (`remediation`, `sweep`), when the state machine has one. */
  workflow?: string;
  /** The placeholder ARN other resolved references use for this state machine. */
  arn: string;
  definition: Record<string, unknown>;
}

/** The fictitious environment placeholders point into. */
export const PLACEHOLDER_ENV = { partition: 'aws', region: 'us-east-1', account: '123456789012' } as const;

const PSEUDO: Record<string, string> = {
  'AWS::Partition': PLACEHOLDER_ENV.partition,
  'AWS::Region': PLACEHOLDER_ENV.region,
  'AWS::AccountId': PLACEHOLDER_ENV.account,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
  'AWS::NoValue': '',
};

/** The environment variable naming a task function's task id. */
export const TASK_ENV = 'ROOTKEY_TASK';

/** The placeholder ARN of a Lambda function named `name`. */
export function lambdaArn(name: string): string {
  return `arn:${PLACEHOLDER_ENV.partition}:lambda:${PLACEHOLDER_ENV.region}:${PLACEHOLDER_ENV.account}:function:${name}`;
}

/** The placeholder ARN of a state machine named `name`. */
export function stateMachineArn(name: string): string {
  return `arn:${PLACEHOLDER_ENV.partition}:states:${PLACEHOLDER_ENV.region}:${PLACEHOLDER_ENV.account}:stateMachine:${name}`;
}

/** The function name a Lambda ARN (or plain name) refers to. */
export function functionNameOf(arnOrName: string): string {
  const match = /:function:([^:]+)/.exec(arnOrName);
  return match ? match[1]! : arnOrName;
}

function taskName(resource: CfnResource | undefined): string | undefined {
  const variables = (resource?.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  const value = variables?.[TASK_ENV];
  return typeof value === 'string' ? value : undefined;
}

function workflowTag(resource: CfnResource): string | undefined {
  const tags = resource.Properties?.['Tags'];
  if (!Array.isArray(tags)) return undefined;
  const tag = (tags as { Key?: unknown; Value?: unknown }[]).find((t) => t.Key === 'rootkey:workflow');
  return typeof tag?.Value === 'string' ? tag.Value : undefined;
}

/** The placeholder a `Ref` or `Fn::GetAtt … Arn` of a template resource resolves to. */
function placeholderFor(template: CfnTemplate, logicalId: string, attribute?: string): string {
  const resource = template.Resources?.[logicalId];
  const { partition, region, account } = PLACEHOLDER_ENV;
  switch (resource?.Type) {
    case 'AWS::Lambda::Function': {
      const name = taskName(resource) ?? logicalId;
      return attribute === 'Arn' ? lambdaArn(name) : name;
    }
    case 'AWS::StepFunctions::StateMachine':
      return attribute === 'Name' ? logicalId : stateMachineArn(logicalId);
    case 'AWS::IAM::Role':
      return attribute === 'Arn' ? `arn:${partition}:iam::${account}:role/${logicalId}` : logicalId;
    case 'AWS::S3::Bucket':
      return attribute === 'Arn' ? `arn:${partition}:s3:::${logicalId.toLowerCase()}` : logicalId.toLowerCase();
    case 'AWS::Scheduler::ScheduleGroup':
      return attribute === 'Arn'
        ? `arn:${partition}:scheduler:${region}:${account}:schedule-group/${logicalId}`
        : logicalId;
    default:
      return attribute
        ? `arn:${partition}:cloudformation:${region}:${account}:placeholder/${logicalId}/${attribute}`
        : logicalId;
  }
}

/** Resolves the intrinsic functions CDK puts into definitions (Join, GetAtt, Ref, Select, Split, Sub). */
export function resolveIntrinsics(value: unknown, template: CfnTemplate): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, template));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    switch (fn) {
      case 'Ref': {
        const name = String(arg);
        return PSEUDO[name] ?? placeholderFor(template, name);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return placeholderFor(template, String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts, template) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = resolveIntrinsics(list, template) as unknown[];
        return items[Number(resolveIntrinsics(index, template))];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(resolveIntrinsics(source, template)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (name in variables) return String(resolveIntrinsics(variables[name], template));
          if (PSEUDO[name] !== undefined) return PSEUDO[name];
          const [logicalId, attribute] = name.split('.');
          return placeholderFor(template, logicalId!, attribute);
        });
      }
      default:
        break;
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, template)]));
}

/** Every state machine of the template, as plain ASL with placeholder ARNs. */
export function extractStateMachines(template: CfnTemplate): ExtractedStateMachine[] {
  const machines: ExtractedStateMachine[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    let text: string;
    if (props['DefinitionString'] !== undefined) {
      text = String(resolveIntrinsics(props['DefinitionString'], template));
    } else if (props['Definition'] !== undefined) {
      text = JSON.stringify(resolveIntrinsics(props['Definition'], template));
    } else {
      throw new Error(`State machine ${logicalId} has neither DefinitionString nor Definition`);
    }
    const substitutions = (props['DefinitionSubstitutions'] ?? {}) as Record<string, unknown>;
    for (const [key, raw] of Object.entries(substitutions)) {
      text = text.split(`\${${key}}`).join(String(resolveIntrinsics(raw, template)));
    }
    const workflow = workflowTag(resource);
    machines.push({
      logicalId,
      ...(workflow ? { workflow } : {}),
      arn: stateMachineArn(logicalId),
      definition: JSON.parse(text) as Record<string, unknown>,
    });
  }
  return machines;
}
