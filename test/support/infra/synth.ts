import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { RootKeyApp } from '../../../infra/build-app';
import { cachedSynthesis } from './synth-cache';
import type * as BuildApp from '../../../infra/build-app';

/** Real-looking configuration (no placeholders), as a deployment would set it. */
export const TEST_CONTEXT: Record<string, unknown> = {
  'rootkey:orgId': 'o-a1b2c3d4e5',
  'rootkey:managementAccountId': '111111111111',
  'rootkey:centralAccountId': '222222222222',
  'rootkey:centralRegion': 'eu-west-1',
  'rootkey:slackChannel': 'C0123456789',
  'rootkey:approvers': 'U0123456789,U0987654321',
  'rootkey:readRoleName': 'RootKeyAudit',
};

/** Where a stack deploys, as synthesized. */
export interface SynthesizedStack {
  stackName: string;
  account: string;
  region: string;
}

export interface SynthesizedApp {
  central: SynthesizedStack;
  member: SynthesizedStack;
  centralTemplate: Template;
  memberTemplate: Template;
}

interface SynthesizedJson {
  central: SynthesizedStack;
  member: SynthesizedStack;
  centralTemplate: unknown;
  memberTemplate: unknown;
}

/**
 * Synthesizes the app as `cdk synth` does (cdk.json context, cdk-nag packs as validation plugins,
 * which throw on any unacknowledged finding), but without bundling the functions: tests need the
 * templates, not the code. Each context is synthesized once per run (and kept while the sources are
 * unchanged, see `cachedSynthesis`); the CDK library is loaded only when a synthesis runs.
 */
export function synthesizeApp(context: Record<string, unknown> = {}): SynthesizedApp {
  // cdk.json is part of the cache key through the source fingerprint.
  const testContext = { ...TEST_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context };
  const json = cachedSynthesis<SynthesizedJson>('app', testContext, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a synthesis runs
    const { buildRootKeyApp, cdkJsonContext } = require('../../../infra/build-app') as typeof BuildApp;
    const built: RootKeyApp = buildRootKeyApp({ context: { ...cdkJsonContext(), ...testContext } });
    const assembly = built.app.synth();
    const where = (stack: Stack): SynthesizedStack => ({
      stackName: stack.stackName,
      account: stack.account,
      region: stack.region,
    });
    return {
      central: where(built.central),
      member: where(built.member),
      centralTemplate: assembly.getStackByName(built.central.stackName).template,
      memberTemplate: assembly.getStackByName(built.member.stackName).template,
    };
  });
  return {
    central: json.central,
    member: json.member,
    centralTemplate: Template.fromJSON(json.centralTemplate as Record<string, unknown>),
    memberTemplate: Template.fromJSON(json.memberTemplate as Record<string, unknown>),
  };
}

/** Template JSON as the tests walk it: deliberately loose, the assertions check the shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON has no static type worth writing here.
export type TemplateJson = any;

type Resources = Record<string, { Type: string; Properties?: Record<string, TemplateJson> }>;

/** The logical id of the function that runs `task` (env ROOTKEY_TASK). */
export function functionIdOf(template: Template, task: string): string {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const found = Object.entries(functions).find(
    ([, r]) => r.Properties?.['Environment']?.['Variables']?.['ROOTKEY_TASK'] === task,
  );
  if (!found) throw new Error(`No function for task ${task}`);
  return found[0];
}

/** The logical id of a function's role. */
export function roleIdOf(template: Template, functionId: string): string {
  const fn = (template.findResources('AWS::Lambda::Function') as Resources)[functionId]!;
  return fn.Properties!['Role']['Fn::GetAtt'][0] as string;
}

/** Every IAM statement attached to a role (all its policies). */
export function statementsOfRole(template: Template, roleId: string): Record<string, TemplateJson>[] {
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((p) =>
      (p.Properties?.['Roles'] as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap((p) => p.Properties!['PolicyDocument']['Statement'] as Record<string, TemplateJson>[]);
}

/** The statements of the role of the function that runs `task`. */
export function statementsOfTask(template: Template, task: string): Record<string, TemplateJson>[] {
  return statementsOfRole(template, roleIdOf(template, functionIdOf(template, task)));
}

/** Every action a set of statements allows. */
export function actionsOf(statements: Record<string, TemplateJson>[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s['Action']) ? s['Action'] : [s['Action']]) as string[]);
}
