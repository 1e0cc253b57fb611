import type { Template } from 'aws-cdk-lib/assertions';
import { normalizeTrigger } from '../../../functions/core/normalize-trigger';
import { matchesEventPattern, type EventPattern } from '../../support/events/event-pattern-matcher';
import { synthesizeApp, type TemplateJson } from '../../support/infra/synth';
import { rootCreateAccessKeyEvent, securityHubFindingEvent } from '../../support/reliability/trigger-events';

/**
 * The EventBridge rules as deployed: their patterns are taken from the synthesized template and
 * evaluated (with the documented matching semantics, test/support/events) against real-shaped
 * events, including the ones rootkey causes itself. After rootkey's BatchUpdateFindings (NOTIFIED,
 * RESOLVED, SUPPRESSED) Security Hub emits another "Security Hub Findings - Imported" event for the
 * same finding: the control is still FAILED, `Workflow.Status` and `Note` carry rootkey's update,
 * `UpdatedAt` keeps its value ("your updates don't affect existing values for the UpdatedAt field",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchupdatefindings.html).
 */
let template: Template;

beforeAll(() => {
  template = synthesizeApp().centralTemplate;
}, 240_000);

const ACCOUNT = '333333333333';
type Rules = Record<string, { Properties: Record<string, TemplateJson> }>;

/** The deployed patterns of the rules that start the remediation workflow. */
function remediationPatterns(): EventPattern[] {
  const rules = template.findResources('AWS::Events::Rule') as Rules;
  return Object.values(rules)
    .filter((r) =>
      (r.Properties['Targets'] as { Arn: TemplateJson }[]).some((t) =>
        JSON.stringify(t.Arn).includes('RemediationStateMachine'),
      ),
    )
    .map((r) => r.Properties['EventPattern'] as EventPattern);
}

/** Whether any deployed rule would start the remediation workflow for `event`. */
const startsWorkflow = (event: unknown) => remediationPatterns().some((p) => matchesEventPattern(p, event));

type Finding = Record<string, TemplateJson>;
function withFinding(change: (finding: Finding) => void): Record<string, unknown> {
  const event = securityHubFindingEvent(ACCOUNT, undefined, '2026-12-01T06:00:00.000Z');
  const finding = (event['detail'] as { findings: Finding[] }).findings[0]!;
  change(finding);
  return event;
}

/** The event Security Hub emits after rootkey's BatchUpdateFindings set `status` with a note. */
function afterRootkeyUpdate(status: 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED'): Record<string, unknown> {
  return withFinding((finding) => {
    finding['Workflow'] = { Status: status };
    finding['Note'] = {
      Text: `rootkey: case RK-1 ${status}`,
      UpdatedBy: 'rootkey',
      UpdatedAt: '2026-12-01T06:01:00.000Z',
    };
    finding['ProcessedAt'] = '2026-12-01T06:01:02.000Z';
  });
}

describe('the deployed trigger rules', () => {
  it('are two: Security Hub findings and root CreateAccessKey', () => {
    expect(remediationPatterns()).toHaveLength(2);
  });

  it('start the workflow for an IAM.4 finding that FAILED and is NEW', () => {
    expect(startsWorkflow(securityHubFindingEvent(ACCOUNT))).toBe(true);
  });

  it('start it without consolidated control findings too (ProductFields.ControlId only)', () => {
    const event = withFinding((f) => {
      f['Compliance'] = { Status: 'FAILED' };
      f['ProductFields'] = {
        ControlId: 'IAM.4',
        StandardsArn: 'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0',
      };
    });
    expect(startsWorkflow(event)).toBe(true);
  });

  it('ignore the finding once it PASSED', () => {
    expect(
      startsWorkflow(withFinding((f) => (f['Compliance'] = { Status: 'PASSED', SecurityControlId: 'IAM.4' }))),
    ).toBe(false);
  });

  it('ignore a FAILED finding of another control', () => {
    const event = withFinding((f) => {
      f['Compliance'] = { Status: 'FAILED', SecurityControlId: 'IAM.6' };
      f['ProductFields'] = { ControlId: 'IAM.6' };
    });
    expect(startsWorkflow(event)).toBe(false);
  });

  it('ignore an archived finding', () => {
    expect(startsWorkflow(withFinding((f) => (f['RecordState'] = 'ARCHIVED')))).toBe(false);
  });

  it.each(['NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const)(
    'do not start the workflow again for the event rootkey causes by setting the finding %s',
    (status) => {
      const event = afterRootkeyUpdate(status);
      expect(startsWorkflow(event)).toBe(false);
      // The normalize step (which the sandbox's POST /api/events also runs) agrees with the rule.
      expect(normalizeTrigger(event, new Date()).ignored).toBe(true);
    },
  );

  it('start the workflow when the root user creates an access key for itself', () => {
    expect(startsWorkflow(rootCreateAccessKeyEvent(ACCOUNT))).toBe(true);
  });

  it('ignore the root user creating an access key for an IAM user', () => {
    const event = rootCreateAccessKeyEvent(ACCOUNT) as { detail: Record<string, TemplateJson> };
    event.detail['requestParameters'] = { userName: 'deploy-bot' };
    event.detail['responseElements'] = {
      accessKey: {
        accessKeyId: 'AKIAEXAMPLEUSERKEY01',
        status: 'Active',
        userName: 'deploy-bot',
        createDate: '2026-12-01T06:00:00Z',
      },
    };
    expect(startsWorkflow(event)).toBe(false);
  });

  it('ignore a CreateAccessKey that failed', () => {
    const event = rootCreateAccessKeyEvent(ACCOUNT) as { detail: Record<string, TemplateJson> };
    event.detail['errorCode'] = 'LimitExceededException';
    expect(startsWorkflow(event)).toBe(false);
  });

  it('ignore CreateAccessKey by an IAM user', () => {
    const event = rootCreateAccessKeyEvent(ACCOUNT) as { detail: Record<string, TemplateJson> };
    event.detail['userIdentity'] = {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/admin`,
    };
    expect(startsWorkflow(event)).toBe(false);
  });
});
