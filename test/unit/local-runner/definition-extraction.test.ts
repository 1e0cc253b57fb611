import {
  extractStateMachines,
  functionNameOf,
  lambdaArn,
  resolveIntrinsics,
  stateMachineArn,
  type CfnTemplate,
} from '../../../local-runner/definition-extraction';

const template: CfnTemplate = {
  Resources: {
    DetectFn1234: {
      Type: 'AWS::Lambda::Function',
      Properties: { Environment: { Variables: { ROOTKEY_TASK: 'detect-root-keys' } } },
    },
    UntaggedFn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Target5678: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { DefinitionString: '{"StartAt":"A","States":{}}' },
    },
    Machine9: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        Tags: [{ Key: 'rootkey:workflow', Value: 'remediation' }],
        DefinitionString: {
          'Fn::Join': [
            '',
            [
              '{"StartAt":"Detect","States":{"Detect":{"Type":"Task","Resource":"',
              { 'Fn::GetAtt': ['DetectFn1234', 'Arn'] },
              '","Next":"Start"},"Start":{"Type":"Task","Resource":"arn:',
              { Ref: 'AWS::Partition' },
              ':states:::states:startExecution","Parameters":{"StateMachineArn":"',
              { Ref: 'Target5678' },
              '","Region":"${Region}"},"End":true}}}',
            ],
          ],
        },
        DefinitionSubstitutions: { Region: { Ref: 'AWS::Region' } },
      },
    },
  },
};

describe('definition extraction', () => {
  it('resolves the intrinsics CDK writes into plain values with placeholder ARNs', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['DetectFn1234', 'Arn'] }, template)).toBe(lambdaArn('detect-root-keys'));
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['UntaggedFn', 'Arn'] }, template)).toBe(lambdaArn('UntaggedFn'));
    expect(resolveIntrinsics({ Ref: 'Target5678' }, template)).toBe(stateMachineArn('Target5678'));
    expect(
      resolveIntrinsics(
        { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Join': [':', ['a', { Ref: 'AWS::AccountId' }]] }] }] },
        template,
      ),
    ).toBe('123456789012');
    expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${DetectFn1234.Arn}' }, template)).toBe(
      `arn:aws:x:${lambdaArn('detect-root-keys')}`,
    );
  });

  it('turns each state machine into plain ASL and names the workflow by its tag', () => {
    const machines = extractStateMachines(template);
    const remediation = machines.find((m) => m.workflow === 'remediation');

    expect(machines).toHaveLength(2);
    expect(remediation?.definition).toEqual({
      StartAt: 'Detect',
      States: {
        Detect: { Type: 'Task', Resource: lambdaArn('detect-root-keys'), Next: 'Start' },
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution',
          Parameters: { StateMachineArn: stateMachineArn('Target5678'), Region: 'us-east-1' },
          End: true,
        },
      },
    });
  });

  it('reads the task id back from a function ARN', () => {
    expect(functionNameOf(lambdaArn('verify-removal'))).toBe('verify-removal');
    expect(functionNameOf('plain-name')).toBe('plain-name');
  });
});
