import { Template } from 'aws-cdk-lib/assertions';
import { buildRootKeyApp, cdkJsonContext, type RootKeyApp } from '../../../infra/build-app';

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

export interface SynthesizedApp extends RootKeyApp {
  centralTemplate: Template;
  memberTemplate: Template;
}

/**
 * Synthesizes the app as `cdk synth` does (cdk.json context, cdk-nag packs as validation plugins,
 * which throw on any unacknowledged finding), but without bundling the functions: tests need the
 * templates, not the code.
 */
export function synthesizeApp(context: Record<string, unknown> = {}): SynthesizedApp {
  const built = buildRootKeyApp({
    context: { ...cdkJsonContext(), ...TEST_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const assembly = built.app.synth();
  return {
    ...built,
    centralTemplate: Template.fromJSON(assembly.getStackByName(built.central.stackName).template),
    memberTemplate: Template.fromJSON(assembly.getStackByName(built.member.stackName).template),
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
