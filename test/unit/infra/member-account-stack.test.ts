import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { applyNagPacks } from '../../../infra/nag-packs';
import { MemberAccountStack } from '../../../infra/stacks/member-account-stack';

const BUS = 'arn:aws:events:eu-west-1:222222222222:event-bus/rootkey-central';

function memberTemplate(): Template {
  const app = new App();
  const stack = new MemberAccountStack(app, 'Member', { centralEventBusArn: BUS });
  applyNagPacks(app);
  // Synthesizing the app runs the nag packs: an unacknowledged finding throws here.
  const assembly = app.synth();
  return Template.fromJSON(assembly.getStackByName(stack.stackName).template);
}

describe('the member account stack (StackSet)', () => {
  const template = memberTemplate();

  it('forwards root CreateAccessKey events of the account to the central bus through a role', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.iam'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: Match.objectLike({
          eventName: ['CreateAccessKey'],
          userIdentity: { type: ['Root'] },
          requestParameters: { userName: [{ exists: false }] },
        }),
      },
      Targets: [
        Match.objectLike({
          Arn: BUS,
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ForwardRole'), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'events:PutEvents', Resource: BUS })] },
    });
  });

  it('lets only EventBridge of this very account use the forwarding role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('refuses to deploy outside us-east-1, where IAM events reach EventBridge', () => {
    const rules = template.toJSON()['Rules'] as Record<string, { Assertions: { Assert: unknown }[] }>;
    expect(Object.values(rules).map((r) => r.Assertions[0]!.Assert)).toContainEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'],
    });
  });

  it('needs no bootstrap and no assets, so the template works as a StackSet template', () => {
    const json = template.toJSON();
    expect(json['Parameters']?.['BootstrapVersion']).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('cdk-hnb659fds');
  });
});
