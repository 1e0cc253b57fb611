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
 * The per-account workflow, run path by path: the definition `infra/` synthesizes, executed by
 * aws-local-stepfunctions with every task bound to its real handler over the simulated
 * organization, the in-memory case store and the real evidence service (verified at the end of
 * each path with the evidence verifier).
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

function manual(accountId: string) {
  return { source: 'manual', accountId, requestedBy: 'U0OPERATOR' };
}

describe('the remediation workflow, executed locally from the synthesized definition', () => {
  it('closes an account without a root key as compliant, with evidence and nothing to approve', async () => {
    // Prepare
    world = createWorld(definitions);

    // Act
    const execution = world.workflow.start(manual(COMPLIANT));
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(execution.states()).toEqual([
      'NormalizeTrigger',
      'TriggerIgnored?',
      'DetectRootKeys',
      'CaseAlreadyOpen?',
      'OpenCase',
      'KeepCaseReference',
      'CaseOpened?',
      'ResolveCompliantFinding',
      'CloseCompliant',
      'Compliant',
    ]);
    const c = await world.caseOf(execution);
    expect(c.status).toBe('compliant');
    expect(world.notifier.of(c.caseId, 'requestApproval')).toHaveLength(0);
    const verification = await world.verifyEvidence([c.evidenceHead!]);
    expect(verification.ok).toBe(true);
    expect(verification.cases).toEqual([
      expect.objectContaining({ caseId: c.caseId, outcome: 'compliant', complete: true }),
    ]);
  });

  it('deletes an approved key through AssumeRoot, verifies it is gone and resolves the finding', async () => {
    // Prepare
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);

    // Act
    const vote = await approve(world, c.caseId, 'delete');
    const result = await execution.result;

    // Assess
    expect(vote.status).toBe('decided');
    expect(result.status).toBe('SUCCEEDED');
    expect(execution.states()).toEqual(
      expect.arrayContaining([
        'RequestApproval',
        'ApplyDecision',
        'DeleteKeys',
        'VerifyRemoval',
        'ResolveFinding',
        'Remediated',
      ]),
    );
    expect(world.sim.liveKeyIds(MEMBER)).toEqual([]);
    const closed = await world.cases.get(c.caseId);
    expect(closed.status).toBe('remediated');
    expect(world.sim.finding(MEMBER)?.workflowStatus).toBe('RESOLVED');
    expect(world.notifier.of(c.caseId).map((m) => m.method)).toEqual(['requestApproval', 'showDecision', 'outcome']);
    const verification = await world.verifyEvidence([closed.evidenceHead!]);
    expect(verification.ok).toBe(true);
    expect(await world.evidenceTypes(c.caseId)).toEqual(
      expect.arrayContaining([
        'detection',
        'approval-requested',
        'decision',
        'action',
        'verification',
        'finding-update',
        'outcome',
      ]),
    );
    expect((await world.evidenceTypes(c.caseId)).at(-1)).toBe('outcome');
  });

  it('walks the management account through the runbook and verifies once the operator removed the key', async () => {
    // Prepare
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MANAGEMENT));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    expect(c.removalPaths).not.toContain('assume-root-delete');

    // Act
    await approve(world, c.caseId, 'runbook');
    const confirmed = await walkRunbook(world, c.caseId, () => {
      // The operator deletes the key while working through the steps (signed in as root).
      world!.sim.removeKeysByOperator(MANAGEMENT);
    });
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(confirmed.length).toBeGreaterThan(1);
    expect(execution.states()).toEqual(
      expect.arrayContaining(['StartRunbook', 'AwaitRunbookStep', 'RecordRunbookStep', 'VerifyRemoval', 'Remediated']),
    );
    expect(execution.visited('DeleteKeys')).toBe(false);
    const closed = await world.cases.get(c.caseId);
    expect(closed.status).toBe('remediated');
    expect(closed.runbook?.completed.map((s) => s.stepId)).toEqual(confirmed);
    expect(world.notifier.of(c.caseId, 'runbookStep').map((m) => m.detail)).toEqual(confirmed);
    expect((await world.verifyEvidence()).ok).toBe(true);
    expect((await world.evidenceTypes(c.caseId)).filter((t) => t === 'runbook-step')).toHaveLength(
      confirmed.length + 1,
    );
  });

  it('records an accepted risk, suppresses the finding and schedules a re-check at the expiry', async () => {
    // Prepare
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();

    // Act
    const vote = await approve(world, c.caseId, 'accept-risk', {
      reason: 'Legacy batch job; migration in Q1.',
      expiresAt,
    });
    const result = await execution.result;

    // Assess
    expect(vote.status).toBe('decided');
    expect(result.status).toBe('SUCCEEDED');
    expect(execution.states()).toEqual(
      expect.arrayContaining([
        'ApplyDecision',
        'ScheduleRecheck',
        'SuppressFinding',
        'CloseException',
        'ExceptionRecorded',
      ]),
    );
    expect(world.sim.liveKeyIds(MEMBER)).toHaveLength(1);
    expect(world.sim.finding(MEMBER)?.workflowStatus).toBe('SUPPRESSED');
    const closed = await world.cases.get(c.caseId);
    expect(closed.status).toBe('risk-accepted');
    const [schedule] = world.workflow.scheduler.schedules();
    expect(schedule).toMatchObject({
      name: `rootkey-recheck-${c.caseId}`,
      groupName: 'rootkey-rechecks',
      input: { source: 'acceptance-expired', accountId: MEMBER, previousCaseId: c.caseId },
    });
    expect(schedule!.at.getTime()).toBeGreaterThanOrEqual(new Date(expiresAt).getTime());
    expect((await world.verifyEvidence([closed.evidenceHead!])).ok).toBe(true);
  });

  it('reminds, escalates and finally expires an approval nobody answers', async () => {
    // Prepare
    world = createWorld(definitions, { taskTimeoutMs: 150 });

    // Act
    const execution = world.workflow.start(manual(MEMBER));
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const c = await world.caseOf(execution);
    expect(c.status).toBe('expired');
    expect(execution.states().filter((s) => s === 'RequestApproval')).toHaveLength(3);
    expect(execution.states().slice(-2)).toEqual(['CloseExpired', 'Expired']);
    expect(world.notifier.of(c.caseId, 'requestApproval')).toHaveLength(1);
    expect(world.notifier.of(c.caseId, 'remind').map((m) => m.detail)).toEqual([
      { reminderNumber: 1, escalate: false },
      { reminderNumber: 2, escalate: true },
    ]);
    expect(await world.evidenceTypes(c.caseId)).toEqual(expect.arrayContaining(['reminder', 'escalation', 'outcome']));
    expect((await world.verifyEvidence()).ok).toBe(true);
  });

  it('polls again while the deletion is not visible yet and closes the case once it is', async () => {
    // Prepare: reads show a deleted key for two seconds of simulated time; each wait advances it by one.
    let simTime = Date.parse('2026-11-28T12:00:00Z');
    world = createWorld(definitions, {
      scenario: workflowScenario({ visibilityDelayMs: 2_000 }),
      simNow: () => simTime,
    });
    world.workflow.on((event) => {
      if (event.type === 'state-entered' && event.state === 'WaitBeforeNextCheck') simTime += 1_000;
    });
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);

    // Act
    await approve(world, c.caseId, 'delete');
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(execution.states().filter((s) => s === 'VerifyRemoval')).toHaveLength(3);
    expect(execution.states().filter((s) => s === 'WaitBeforeNextCheck')).toHaveLength(2);
    expect((await world.cases.get(c.caseId)).status).toBe('remediated');
    expect((await world.evidenceTypes(c.caseId)).filter((t) => t === 'verification')).toHaveLength(3);
  });

  it('ends a remediation error in the failure path: the case fails with the error in its evidence', async () => {
    // Prepare
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    // IAM and STS answer every call with throttling from now on: the retries run out.
    world.sim.setFaults({ throttleRate: 1 });

    // Act
    await approve(world, c.caseId, 'delete');
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error?.error).toBe('TransientAwsError');
    const deleteStep = execution.path.find((s) => s.state === 'DeleteKeys');
    expect(deleteStep).toMatchObject({ error: 'TransientAwsError', caught: true });
    expect(deleteStep?.retried).toBeGreaterThan(0);
    expect(execution.states().slice(-2)).toEqual(['RecordFailure', 'Failed']);
    const failed = await world.cases.get(c.caseId);
    expect(failed.status).toBe('failed');
    expect(failed.outcome?.error?.name).toBe('TransientAwsError');
    expect(world.notifier.of(c.caseId, 'outcome')).toHaveLength(1);
    const verification = await world.verifyEvidence([failed.evidenceHead!]);
    expect(verification.ok).toBe(true);
    expect(verification.cases).toEqual([expect.objectContaining({ caseId: c.caseId, outcome: 'failed' })]);
  });

  it('starts nothing for a second trigger while the account has an open case', async () => {
    // Prepare
    world = createWorld(definitions);
    const first = world.workflow.start(manual(MEMBER));
    await first.waitFor((e) => e.type === 'task-waiting');
    const c = await world.caseOf(first);

    // Act
    const second = world.workflow.start({ source: 'sweep', accountId: MEMBER });
    const duplicate = await second.result;

    // Assess
    expect(duplicate.status).toBe('SUCCEEDED');
    expect(second.states().slice(-3)).toEqual(['UseOpenCase', 'RecordDuplicateTrigger', 'DuplicateTrigger']);
    expect(await world.cases.list({ accountId: MEMBER })).toHaveLength(1);
    expect(world.notifier.of(c.caseId, 'requestApproval')).toHaveLength(1);
    // The request is recorded before it goes out (and so before the finding is marked NOTIFIED).
    expect(await world.evidenceTypes(c.caseId)).toEqual([
      'detection',
      'approval-requested',
      'finding-update',
      'detection',
    ]);
    // The first workflow goes on undisturbed.
    await approve(world, c.caseId, 'delete');
    expect((await first.result).status).toBe('SUCCEEDED');
    expect((await world.verifyEvidence()).ok).toBe(true);
  });

  it('opens exactly one case when two triggers race past detection', async () => {
    // Prepare
    world = createWorld(definitions);

    // Act
    const a = world.workflow.start(manual(MEMBER));
    const b = world.workflow.start({ source: 'sweep', accountId: MEMBER });
    await until(
      async () => ([a, b].some((e) => e.status !== 'RUNNING') ? true : undefined),
      'one of the racing executions to end',
    );

    // Assess
    expect(await world.cases.list({ accountId: MEMBER })).toHaveLength(1);
    const ended = [a, b].find((e) => e.status !== 'RUNNING')!;
    expect(ended.states().at(-1)).toBe('DuplicateTrigger');
  });

  it('asks again when the keys changed between the approval and the deletion, deleting nothing first', async () => {
    // Prepare
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    const created = world.sim.createRootKey(MEMBER);

    // Act
    await approve(world, c.caseId, 'delete');
    await until(
      async () => (execution.states().filter((s) => s === 'RequestApproval').length === 2 ? true : undefined),
      'the second approval request',
    );
    const keysAfterRefusal = world.sim.liveKeyIds(MEMBER);
    const again = await world.cases.get(c.caseId);
    await approve(world, c.caseId, 'delete');
    const result = await execution.result;

    // Assess
    expect(keysAfterRefusal).toHaveLength(2);
    expect(again.posture.keys.map((k) => k.maskedId)).toContain(created);
    expect(again.decision).toBeUndefined();
    const deleteStep = execution.path.find((s) => s.state === 'DeleteKeys');
    expect(deleteStep).toMatchObject({ error: 'KeysChangedError', caught: true });
    expect(execution.states()).toEqual(expect.arrayContaining(['KeysChanged', 'KeysLeft?']));
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.liveKeyIds(MEMBER)).toEqual([]);
    expect(world.notifier.of(c.caseId, 'requestApproval')).toHaveLength(2);
    expect((await world.cases.get(c.caseId)).status).toBe('remediated');
    expect((await world.verifyEvidence()).ok).toBe(true);
  });
});
