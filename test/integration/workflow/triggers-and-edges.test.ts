import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { testWorkflowDefinitions } from '../../support/workflow/definitions';
import {
  approve,
  COMPLIANT,
  createWorld,
  MANAGEMENT,
  MEMBER,
  until,
  walkRunbook,
  workflowScenario,
  type WorkflowWorld,
} from '../../support/workflow/workflow-fixture';

/**
 * Triggers as AWS delivers them, the organization sweep, and the edges of the workflow: the
 * fallback to the runbook, the verification that keeps seeing the key, an abandoned runbook, a
 * failure before a case exists, and the re-check when an accepted risk expires.
 */
jest.setTimeout(60_000);

let definitions: WorkflowDefinitions;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  definitions = testWorkflowDefinitions();
}, 180_000);

afterEach(() => {
  world?.dispose();
  world = undefined;
});

function securityHubEvent(accountId: string, findingId: string) {
  return {
    version: '0',
    id: 'eb-event-1',
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: '222222222222',
    time: '2026-11-28T11:59:00Z',
    region: 'us-east-1',
    resources: [findingId],
    detail: {
      findings: [
        {
          Id: findingId,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          AwsAccountId: accountId,
          UpdatedAt: '2026-11-28T11:58:00Z',
          RecordState: 'ACTIVE',
          Compliance: { Status: 'FAILED', SecurityControlId: 'IAM.4' },
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
}

describe('triggers', () => {
  it('starts from a Security Hub IAM.4 finding and resolves that finding with the evidence digest', async () => {
    // Prepare
    world = createWorld(definitions);
    const finding = world.sim.finding(MEMBER)!;

    // Act
    const execution = world.workflow.start(securityHubEvent(MEMBER, finding.id));
    await execution.waitFor((e) => e.type === 'task-waiting');
    const c = await world.caseOf(execution);
    const notified = world.sim.finding(MEMBER)!.workflowStatus;
    await approve(world, c.caseId, 'delete');
    await execution.result;

    // Assess
    expect(c.trigger).toMatchObject({ source: 'security-hub', finding: { id: finding.id } });
    expect(notified).toBe('NOTIFIED');
    const resolved = world.sim.finding(MEMBER)!;
    expect(resolved.workflowStatus).toBe('RESOLVED');
    // The note names a digest that is a record of this case's verified chain.
    const digest = /[0-9a-f]{64}/.exec(resolved.notes.at(-1) ?? '')?.[0];
    expect(digest).toBeDefined();
    const verification = await world.verifyEvidence([digest!]);
    expect(verification.ok).toBe(true);
    expect(verification.cases.find((s) => s.caseId === c.caseId)?.complete).toBe(true);
  });

  it('ignores CreateAccessKey by the root user for an IAM user: no case, the reason in the output', async () => {
    world = createWorld(definitions);
    const event = {
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.iam',
      account: MEMBER,
      detail: {
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateAccessKey',
        userIdentity: { type: 'Root', accountId: MEMBER },
        requestParameters: { userName: 'deploy-bot' },
        recipientAccountId: MEMBER,
      },
    };

    const result = await world.workflow.start(event).result;

    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { ignored: true, reason: expect.stringMatching(/IAM user deploy-bot/) },
    });
    expect(await world.cases.list()).toEqual([]);
  });

  it('leaves failure evidence even when the account could not be read before a case existed', async () => {
    world = createWorld(definitions);

    const execution = world.workflow.start({ source: 'manual', accountId: '999999999999' });
    const result = await execution.result;

    expect(result.status).toBe('FAILED');
    expect(result.error?.error).toBe('InvalidInputError');
    expect(execution.states().slice(-3)).toEqual(['DetectRootKeys', 'RecordFailure', 'Failed']);
    const verification = await world.verifyEvidence();
    expect(verification.ok).toBe(true);
    expect(verification.cases).toEqual([
      expect.objectContaining({ accountId: '999999999999', outcome: 'failed', complete: true }),
    ]);
  });
});

describe('the organization sweep', () => {
  it('starts one remediation workflow per account, fire-and-forget', async () => {
    // Prepare
    world = createWorld(definitions);

    // Act
    const sweep = world.workflow.startSweep({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    const result = await sweep.result;
    const started = world.workflow.executions().filter((e) => e.kind === 'remediation');
    const compliant = started.find((e) => (e.input as { accountId: string }).accountId === COMPLIANT)!;
    await compliant.result;
    await until(
      async () => ((await world!.cases.list({ openOnly: true })).length === 2 ? true : undefined),
      'the two cases with keys to wait for approval',
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(started.map((e) => (e.input as { accountId: string }).accountId).sort()).toEqual(
      [COMPLIANT, MANAGEMENT, MEMBER].sort(),
    );
    expect(started.every((e) => (e.input as { source: string }).source === 'schedule')).toBe(true);
    // One start per listed account; the Map's results go to its ResultWriter, not into the output.
    expect(sweep.path.filter((s) => s.state === 'StartAccountWorkflow')).toHaveLength(3);
    expect(result.output).toMatchObject({ sweep: { count: 3, list: { key: expect.stringMatching(/^sweeps\//) } } });
    expect(result.output).not.toHaveProperty('started');
    expect(compliant.states().at(-1)).toBe('Compliant');
  });
});

describe('edges of the remediation', () => {
  it('falls back to the runbook when AssumeRoot turns out unavailable after the approval', async () => {
    world = createWorld(definitions);
    const execution = world.workflow.start({ source: 'manual', accountId: MEMBER });
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    world.sim.setFeatures({ rootCredentialsManagement: false, rootSessions: false });

    await approve(world, c.caseId, 'delete');
    await walkRunbook(world, c.caseId, () => world!.sim.removeKeysByOperator(MEMBER));
    const result = await execution.result;

    expect(result.status).toBe('SUCCEEDED');
    expect(execution.path.find((s) => s.state === 'DeleteKeys')).toMatchObject({
      error: 'RootAccessUnavailableError',
      caught: true,
    });
    expect(execution.states()).toEqual(expect.arrayContaining(['FallBackToRunbook', 'AwaitRunbookStep', 'Remediated']));
    expect((await world.cases.get(c.caseId)).status).toBe('remediated');
  });

  it('goes back to the runbook, escalating, when verification keeps seeing the key', async () => {
    // Prepare: reads show the deleted key until the simulated clock passes an hour.
    let simTime = Date.parse('2026-11-28T12:00:00Z');
    world = createWorld(definitions, {
      scenario: workflowScenario({ visibilityDelayMs: 3_600_000 }),
      simNow: () => simTime,
    });
    const execution = world.workflow.start({ source: 'manual', accountId: MEMBER });
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);

    // Act
    await approve(world, c.caseId, 'delete');
    await walkRunbook(world, c.caseId, () => {
      simTime += 3_600_000;
    });
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(execution.states().filter((s) => s === 'VerifyRemoval').length).toBeGreaterThanOrEqual(4);
    expect(execution.states()).toEqual(expect.arrayContaining(['RestartRunbook', 'AwaitRunbookStep', 'Remediated']));
    expect(world.notifier.of(c.caseId, 'progress').map((m) => m.detail)).toContainEqual(
      expect.stringMatching(/Verification still sees a root access key/),
    );
    expect((await world.verifyEvidence()).ok).toBe(true);
  });

  it('fails the case with evidence when nobody confirms a runbook step after every reminder', async () => {
    world = createWorld(definitions, { taskTimeoutMs: 2_000 });
    const execution = world.workflow.start({ source: 'manual', accountId: MANAGEMENT });
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'runbook');
    const result = await execution.result;

    expect(result).toMatchObject({ status: 'FAILED', error: { error: 'RunbookAbandoned' } });
    expect(execution.states().filter((s) => s === 'RunbookStepTimedOut')).toHaveLength(3);
    const failed = await world.cases.get(c.caseId);
    expect(failed.status).toBe('failed');
    expect(failed.outcome?.error?.name).toBe('RunbookAbandoned');
    expect((await world.verifyEvidence()).ok).toBe(true);
  });

  it('checks the account again when an accepted risk expires', async () => {
    // Prepare: the risk is accepted; the re-check schedule's input is what EventBridge Scheduler delivers.
    world = createWorld(definitions);
    const first = world.workflow.start({ source: 'manual', accountId: MEMBER });
    await first.waitForState('RequestApproval');
    const accepted = await world.caseOf(first);
    await approve(world, accepted.caseId, 'accept-risk', {
      reason: 'Legacy job until the migration.',
      expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    await first.result;
    const [schedule] = world.workflow.scheduler.schedules();

    // Act
    const recheck = world.workflow.start(schedule!.input);
    await recheck.waitFor((e) => e.type === 'task-waiting');

    // Assess
    const cases = await world.cases.list({ accountId: MEMBER });
    expect(cases.map((k) => k.status)).toEqual(['risk-accepted', 'awaiting-approval']);
    expect(cases[1]!.trigger).toMatchObject({ source: 'acceptance-expired', eventId: accepted.caseId });
  });
});
