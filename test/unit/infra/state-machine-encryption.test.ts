import type { Template } from 'aws-cdk-lib/assertions';
import { resolveIntrinsics, PSEUDO_VALUES } from '../../support/infra/resolve-intrinsics';
import { statementsOfRole, synthesizeApp, type TemplateJson } from '../../support/infra/synth';

/**
 * Step Functions encrypts a state machine's execution data with its customer-managed key and the
 * encryption context `aws:states:stateMachineArn` = the state machine's ARN; the state machine's
 * role needs kms:Decrypt / kms:GenerateDataKey under exactly that context, or no execution starts.
 * These tests resolve the condition in the synthesized template against the state machine resource
 * itself (its name and the deployment's partition, Region and account).
 */
let template: Template;

beforeAll(() => {
  template = synthesizeApp().centralTemplate;
}, 240_000);

type Resources = Record<string, { Type: string; Properties: Record<string, TemplateJson> }>;

/** The ARN a state machine gets in the fictitious deployment: only a named one has a knowable ARN. */
function arnOf(machine: { Properties: Record<string, TemplateJson> }): string {
  const name = resolveIntrinsics(machine.Properties['StateMachineName']) as unknown;
  if (typeof name !== 'string' || name === '') return '<unnamed: CloudFormation generates the name>';
  const { 'AWS::Partition': partition, 'AWS::Region': region, 'AWS::AccountId': account } = PSEUDO_VALUES;
  return `arn:${partition}:states:${region}:${account}:stateMachine:${name}`;
}

describe('state machine encryption', () => {
  const machines = () => Object.entries(template.findResources('AWS::StepFunctions::StateMachine') as Resources);

  it('encrypts the three workflows (remediation, sweep, prevention) with a customer-managed key', () => {
    expect(machines()).toHaveLength(3);
    for (const [, machine] of machines()) {
      expect(machine.Properties['EncryptionConfiguration']).toMatchObject({ Type: 'CUSTOMER_MANAGED_KMS_KEY' });
    }
  });

  it.each(['remediation', 'sweep', 'prevention'])(
    'lets the %s workflow use its key under the encryption context of its own ARN',
    (workflow) => {
      const all = template.findResources('AWS::StepFunctions::StateMachine') as Resources;
      const refOf = (id: string) => (all[id] ? arnOf(all[id]) : undefined);
      const [, machine] = machines().find(([, m]) =>
        (m.Properties['Tags'] as { Key: string; Value: string }[] | undefined)?.some(
          (t) => t.Key === 'rootkey:workflow' && t.Value === workflow,
        ),
      )!;
      const roleId = machine.Properties['RoleArn']['Fn::GetAtt'][0] as string;
      const kmsStatements = statementsOfRole(template, roleId).filter((s) =>
        JSON.stringify(s['Condition'] ?? {}).includes('aws:states:stateMachineArn'),
      );
      expect(kmsStatements).not.toHaveLength(0);
      for (const statement of kmsStatements) {
        expect(statement['Action']).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']));
        const condition = resolveIntrinsics(statement['Condition'], refOf) as Record<string, Record<string, string>>;
        expect(condition['StringEquals']?.['kms:EncryptionContext:aws:states:stateMachineArn']).toBe(arnOf(machine));
      }
    },
  );

  it('names the three state machines differently, after the stack', () => {
    const names = machines().map(([, m]) => resolveIntrinsics(m.Properties['StateMachineName']) as string);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[\w-]{1,80}$/);
  });
});
