/**
 * Reads every IAM policy statement out of CloudFormation templates, with where it came from, and
 * answers the questions the least-privilege tests ask: which actions a statement allows (IAM
 * wildcards included), on which resources, under which conditions.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON has no static type worth writing here.
type Json = any;

export type PolicyKind = 'identity' | 'trust' | 'key' | 'bucket' | 'queue' | 'topic' | 'event-bus' | 'other-resource';

export interface PolicyStatement {
  /** Template (stack) name and the logical id of the resource holding the statement. */
  stack: string;
  resourceId: string;
  resourceType: string;
  kind: PolicyKind;
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  /** Resources with intrinsic functions resolved to text (`Ref AWS::Partition` → `aws`, others → `${Name}`). */
  resources: string[];
  principal?: Json;
  condition?: Record<string, Record<string, Json>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Intrinsic functions as text, good enough to compare ARNs: pseudo parameters resolved, references named. */
export function resolveText(value: Json): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    if ('Ref' in value) return value.Ref === 'AWS::Partition' ? 'aws' : `\${${value.Ref}}`;
    if ('Fn::GetAtt' in value) return `\${${list(value['Fn::GetAtt']).join('.')}}`;
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map(resolveText).join(separator);
    }
    if ('Fn::Sub' in value) return String(list(value['Fn::Sub'])[0]).replace(/\$\{AWS::Partition\}/g, 'aws');
  }
  return JSON.stringify(value);
}

function documentsOf(type: string, props: Json): { kind: PolicyKind; document: Json }[] {
  const out: { kind: PolicyKind; document: Json }[] = [];
  switch (type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      out.push({ kind: 'identity', document: props.PolicyDocument });
      break;
    case 'AWS::IAM::Role':
      out.push({ kind: 'trust', document: props.AssumeRolePolicyDocument });
      for (const p of list(props.Policies)) out.push({ kind: 'identity', document: (p as Json).PolicyDocument });
      break;
    case 'AWS::KMS::Key':
      out.push({ kind: 'key', document: props.KeyPolicy });
      break;
    case 'AWS::S3::BucketPolicy':
      out.push({ kind: 'bucket', document: props.PolicyDocument });
      break;
    case 'AWS::SQS::QueuePolicy':
      out.push({ kind: 'queue', document: props.PolicyDocument });
      break;
    case 'AWS::SNS::TopicPolicy':
      out.push({ kind: 'topic', document: props.PolicyDocument });
      break;
    case 'AWS::Events::EventBusPolicy':
      if (props.Statement) out.push({ kind: 'event-bus', document: { Statement: [props.Statement] } });
      break;
    default:
      if (props?.PolicyDocument?.Statement) out.push({ kind: 'other-resource', document: props.PolicyDocument });
  }
  return out.filter((d) => d.document);
}

/** Every statement of every policy in a template. */
export function policyStatements(stack: string, template: Json): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const [resourceId, resource] of Object.entries<Json>(template.Resources ?? {})) {
    for (const { kind, document } of documentsOf(resource.Type, resource.Properties ?? {})) {
      for (const s of list<Json>(document.Statement)) {
        statements.push({
          stack,
          resourceId,
          resourceType: resource.Type,
          kind,
          ...(s.Sid ? { sid: s.Sid } : {}),
          effect: s.Effect,
          actions: list<string>(s.Action),
          notActions: list<string>(s.NotAction),
          resources: list<Json>(s.Resource).map(resolveText),
          ...(s.Principal ? { principal: s.Principal } : {}),
          ...(s.Condition ? { condition: s.Condition } : {}),
        });
      }
    }
  }
  return statements;
}

/** Whether an IAM action pattern (`sts:Assume*`, `*`) covers `action` (case-insensitive, as IAM matches). */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** Whether an Allow statement can grant `action` (NotAction Allows count: they grant everything else). */
export function allows(statement: PolicyStatement, action: string): boolean {
  if (statement.effect !== 'Allow') return false;
  if (statement.notActions.length > 0) return !statement.notActions.some((p) => actionMatches(p, action));
  return statement.actions.some((p) => actionMatches(p, action));
}

/** The values a condition operator (e.g. `StringEquals`) gives a key, as text. */
export function conditionValues(statement: PolicyStatement, operator: string, key: string): string[] | undefined {
  const block = statement.condition?.[operator];
  if (!block) return undefined;
  const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return entry ? list<Json>(entry[1]).map(resolveText) : undefined;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}
