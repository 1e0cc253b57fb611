import { synthesizeApp, type TemplateJson } from '../../support/infra/synth';
import {
  callersOf,
  contextGrants,
  encryptedMachines,
  KMS_REQUIRED_BY_CALLER,
  missingCallerKms,
  STATE_MACHINE_CONTEXT,
  unclassifiedActions,
  unneededContextGrants,
  type EncryptedMachine,
} from '../../support/infra/state-machine-callers';

/**
 * The three state machines are encrypted with the data key. Who else needs that key for their data?
 * Per the Step Functions developer guide ("Required permissions for API callers",
 * https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html#using-api-with-encryption-required-permissions),
 * a caller needs KMS only for the APIs that return encrypted data (DescribeExecution,
 * GetExecutionHistory, DescribeStateMachine(ForExecution): kms:Decrypt; StartSyncExecution:
 * kms:Decrypt); StartExecution, SendTaskSuccess, SendTaskFailure, StopExecution and RedriveExecution
 * need nothing of the caller ("--"): Step Functions encrypts with the execution role's permission.
 * These tests derive every caller from the template's policies (so a new caller is checked without
 * being listed here) and hold each to that table, in both directions: what its calls need, scoped by
 * `kms:EncryptionContext:aws:states:stateMachineArn` to the state machine it calls, and nothing more.
 */
let template: TemplateJson;
let machines: EncryptedMachine[];

beforeAll(() => {
  template = synthesizeApp().centralTemplate.toJSON();
  machines = encryptedMachines(template);
}, 240_000);

type Resources = Record<string, { Type: string; Properties: Record<string, TemplateJson> }>;
const resources = (t: TemplateJson) => t.Resources as Resources;

/** The trust policy's service principals of a role. */
function servicesOf(t: TemplateJson, roleId: string): string[] {
  const role = resources(t)[roleId];
  if (role?.Type !== 'AWS::IAM::Role') return [];
  return (role.Properties['AssumeRolePolicyDocument']['Statement'] as TemplateJson[]).flatMap(
    (s) => [s.Principal?.Service ?? []].flat() as string[],
  );
}

const machine = (workflow: 'remediation' | 'sweep' | 'prevention') =>
  machines.find((m) => m.name.endsWith(`-${workflow}`))!;

describe('callers of the encrypted state machines', () => {
  it('derives the callers from the template: every workflow has one, every trigger rule role is one', () => {
    expect(machines).toHaveLength(3);
    const callers = callersOf(template, machines);
    for (const m of machines) {
      expect(callers.filter((c) => c.machine.id === m.id && c.actions.includes('states:StartExecution'))).not.toEqual(
        [],
      );
    }
    // Every EventBridge rule that targets a state machine does it with a role that is found as its caller.
    const ruleTargets = Object.values(resources(template))
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .flatMap((r) => r.Properties['Targets'] as TemplateJson[])
      .filter((target) => machines.some((m) => target.Arn?.Ref === m.id));
    expect(ruleTargets).not.toHaveLength(0);
    for (const target of ruleTargets) {
      const role = target.RoleArn['Fn::GetAtt'][0] as string;
      expect(callers).toContainEqual(
        expect.objectContaining({
          principal: role,
          machine: expect.objectContaining({ id: target.Arn.Ref }),
          actions: expect.arrayContaining(['states:StartExecution']),
        }),
      );
    }
    // The derivation reaches every kind of caller: functions, rules, the scheduler, a state machine.
    const services = new Set(callers.flatMap((c) => servicesOf(template, c.principal)));
    expect([...services].sort()).toEqual(
      expect.arrayContaining([
        'events.amazonaws.com',
        'lambda.amazonaws.com',
        'scheduler.amazonaws.com',
        'states.amazonaws.com',
      ]),
    );
    // Every caller action is one the guide's table classifies (no wildcard, no unlisted API).
    expect(unclassifiedActions(callers)).toEqual([]);
  });

  it('gives every caller the KMS permissions the guide requires for its calls, for that state machine only', () => {
    expect(missingCallerKms(template, machines)).toEqual([]);
  });

  it('lets only its execution role, and callers whose calls need it, use the key for a state machine', () => {
    expect(unneededContextGrants(template, machines)).toEqual([]);
    // The execution roles' own grants are found (the check is not looking at nothing).
    const grants = contextGrants(template, machines);
    for (const m of machines) {
      expect(grants).toContainEqual(
        expect.objectContaining({
          principal: m.roleId,
          machineArn: m.arn,
          actions: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']),
        }),
      );
    }
  });
});

describe('the caller checks (they can fail)', () => {
  /** The template with one more policy on `role`. */
  const withPolicy = (role: string, ...statements: TemplateJson[]) => {
    const copy = structuredClone(template);
    copy.Resources['InjectedPolicy'] = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'Injected',
        Roles: [{ Ref: role }],
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
      },
    };
    return copy;
  };
  const keyOf = (m: EncryptedMachine) => JSON.parse(m.key) as TemplateJson;
  const readExecutions = (m: EncryptedMachine) => ({
    Effect: 'Allow',
    Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
    Resource: {
      'Fn::Join': [
        '',
        [
          'arn:aws:states:eu-west-1:222222222222:execution:',
          { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: m.id }] }] },
          ':*',
        ],
      ],
    },
  });
  const useKeyFor = (m: EncryptedMachine, actions: string[]) => ({
    Effect: 'Allow',
    Action: actions,
    Resource: keyOf(m),
    Condition: { StringEquals: { [STATE_MACHINE_CONTEXT]: m.arn } },
  });
  /** A caller that only starts executions: the role of the remediation trigger rules. */
  const starter = () =>
    callersOf(template, machines).find(
      (c) =>
        c.machine.id === machine('remediation').id &&
        servicesOf(template, c.principal).includes('events.amazonaws.com'),
    )!.principal;

  it('flags a new caller that reads executions without kms:Decrypt for that state machine', () => {
    const remediation = machine('remediation');
    expect(KMS_REQUIRED_BY_CALLER['states:DescribeExecution']).toEqual(['kms:Decrypt']);
    const reader = withPolicy(starter(), readExecutions(remediation));
    expect(missingCallerKms(reader, machines)).toEqual([
      expect.stringMatching(/DescribeExecution.*without kms:Decrypt$/),
    ]);
    // A grant for another state machine's data does not count.
    const wrongContext = withPolicy(
      starter(),
      readExecutions(remediation),
      useKeyFor(machine('sweep'), ['kms:Decrypt']),
    );
    expect(missingCallerKms(wrongContext, machines)).toHaveLength(1);
    expect(unneededContextGrants(wrongContext, machines)).toEqual([expect.stringMatching(/kms:Decrypt for .*-sweep/)]);
    // With it, nothing is missing and nothing is extra.
    const fixed = withPolicy(starter(), readExecutions(remediation), useKeyFor(remediation, ['kms:Decrypt']));
    expect(missingCallerKms(fixed, machines)).toEqual([]);
    expect(unneededContextGrants(fixed, machines)).toEqual([]);
  });

  it('flags KMS given to a caller whose calls the guide says need none', () => {
    const given = withPolicy(starter(), useKeyFor(machine('remediation'), ['kms:Decrypt', 'kms:GenerateDataKey']));
    expect(unneededContextGrants(given, machines)).toEqual([
      expect.stringMatching(/kms:Decrypt for .*-remediation/),
      expect.stringMatching(/kms:GenerateDataKey for .*-remediation/),
    ]);
  });

  it('flags a caller action the table does not classify', () => {
    const wildcard = withPolicy(starter(), {
      Effect: 'Allow',
      Action: 'states:*',
      Resource: { Ref: machine('sweep').id },
    });
    expect(unclassifiedActions(callersOf(wildcard, machines))).toEqual([expect.stringMatching(/-sweep: states:\*$/)]);
  });
});
