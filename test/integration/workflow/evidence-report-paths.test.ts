import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvidenceData } from '../../../functions/core/evidence/evidence-data';
import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { testWorkflowDefinitions } from '../../support/workflow/definitions';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { requestVerifyNow } from '../../../functions/services/confirm-runbook-step';
import {
  approve,
  approvers,
  APPROVER,
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
 * What an auditor files: the evidence report of every path the workflow can take, rendered from the
 * records the synthesized definition's run wrote. Every record must fit its event type's schema, and
 * the report must say who did what without guessing ("unknown", "?", "undefined").
 */
jest.setTimeout(90_000);

let definitions: WorkflowDefinitions;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  definitions = testWorkflowDefinitions();
}, 180_000);

afterEach(() => {
  world?.dispose();
  world = undefined;
});

const manual = (accountId: string) => ({ source: 'manual', accountId, requestedBy: 'U0OPERATOR' });

/** Text an auditor would read as the renderer guessing, or a value that never got a string form. */
const GUESSES = [/\bunknown\b/i, /(^|[\s|(>])\?($|[\s|)<])/m, /\bundefined\b/, /\[object Object\]/, /\bNaN\b/];

/** The report up to the raw record details (which show the data as stored). */
function readablePart(report: string, marker: string): string {
  const at = report.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  return report.slice(0, at);
}

/** Renders every case's report in the world's evidence folder and checks what it says. */
async function expectReadableReports(w: WorkflowWorld, expectedTypes: string[] = []): Promise<string[]> {
  const evidence = createLocalEvidence(w.dataDir);
  const caseIds = readdirSync(join(w.dataDir, 'evidence', 'cases'));
  expect(caseIds.length).toBeGreaterThan(0);
  const seen = new Set<string>();
  const markdowns: string[] = [];
  for (const caseId of caseIds) {
    const records = await evidence.readCase(caseId);
    for (const r of records) {
      seen.add(r.type);
      const parsed = parseEvidenceData(r.type, r.data);
      expect({ record: `${caseId} #${r.sequence} ${r.type}`, issues: parsed.ok ? [] : parsed.issues }).toEqual({
        record: `${caseId} #${r.sequence} ${r.type}`,
        issues: [],
      });
    }
    const { markdown, html } = await evidence.renderReport(caseId);
    const readable = [
      readablePart(markdown, '## Record details'),
      readablePart(html, '<h2>Record details</h2>').replace(/<[^>]+>/g, ' '),
    ];
    for (const text of readable) {
      for (const guess of GUESSES) {
        const line = text.split('\n').find((l) => guess.test(l));
        expect({ caseId, guess: String(guess), line }).toEqual({ caseId, guess: String(guess), line: undefined });
      }
      expect(text).not.toContain('does not match the current');
    }
    expect(html).toMatch(/<td class="nowrap">\d+<\/td>/);
    markdowns.push(markdown);
  }
  for (const type of expectedTypes) expect([...seen]).toContain(type);
  return markdowns;
}

describe('the evidence report of every workflow path', () => {
  it('compliant account', async () => {
    world = createWorld(definitions);
    expect((await world.workflow.start(manual(COMPLIANT)).result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world, ['detection', 'finding-update', 'outcome']);
    expect(report).toContain('compliant');
  });

  it('approved deletion through AssumeRoot', async () => {
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'delete');
    expect((await execution.result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world, [
      'approval-requested',
      'decision',
      'action',
      'verification',
      'outcome',
    ]);
    expect(report).toMatch(/Ada Approver \(U0APPROVER\) voted delete/);
    expect(report).toMatch(/decision delete by Ada Approver \(U0APPROVER\) applied/);
    expect(report).toMatch(/DeleteAccessKey/);
  });

  it('guided runbook for the management account', async () => {
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MANAGEMENT));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'runbook');
    await walkRunbook(world, c.caseId, () => {
      world!.sim.removeKeysByOperator(MANAGEMENT);
    });
    expect((await execution.result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world, ['runbook-step']);
    expect(report).toMatch(/step [\w-]+ .* confirmed by Ada Approver \(U0APPROVER\)/);
    expect(report).toMatch(/runbook \([\w-]+\) started/);
  });

  it('verify now, before the last runbook step', async () => {
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MANAGEMENT));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'runbook');
    await world.waitingToken(c.caseId, 'runbook-step');
    world.sim.removeKeysByOperator(MANAGEMENT);
    const sent = await requestVerifyNow(world.deps, world.workflow.callbacks, approvers, {
      caseId: c.caseId,
      userId: APPROVER,
      userName: 'Ada Approver',
    });
    expect(sent.status).toBe('sent');
    expect((await execution.result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world);
    expect(report).toContain('Ada Approver (U0APPROVER) asked to verify now');
  });

  it('accepted risk and rejection', async () => {
    world = createWorld(definitions);
    const accepted = world.workflow.start(manual(MEMBER));
    await accepted.waitForState('RequestApproval');
    const a = await world.caseOf(accepted);
    await approve(world, a.caseId, 'accept-risk', {
      reason: 'Legacy batch job; migration in Q1.',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    await accepted.result;
    const rejected = world.workflow.start(manual(MANAGEMENT));
    await rejected.waitForState('RequestApproval');
    const r = await world.caseOf(rejected);
    await approve(world, r.caseId, 'reject', { reason: 'Not ours.' });
    await rejected.result;
    const reports = await expectReadableReports(world);
    expect(reports.join('\n')).toMatch(/risk-accepted/);
    expect(reports.join('\n')).toMatch(/rejected/);
  });

  it('reminders, escalation and expiry', async () => {
    world = createWorld(definitions, { taskTimeoutMs: 150 });
    await world.workflow.start(manual(MEMBER)).result;
    const [report] = await expectReadableReports(world, ['reminder', 'escalation']);
    expect(report).toMatch(/escalated 2 of 2 while waiting for the approval/);
  });

  it('a remediation error, and a failure before any case existed', async () => {
    world = createWorld(definitions);
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    world.sim.setFaults({ throttleRate: 1 });
    await approve(world, c.caseId, 'delete');
    expect((await execution.result).status).toBe('FAILED');
    world.sim.setFaults({ throttleRate: 0 });
    expect((await world.workflow.start({ source: 'manual', accountId: '999999999999' }).result).status).toBe('FAILED');
    const reports = await expectReadableReports(world);
    expect(reports.join('\n')).toMatch(/failed: .*TransientAwsError/);
    expect(reports.join('\n')).toMatch(/InvalidInputError/);
  });

  it('a duplicate trigger, and keys that changed between approval and deletion', async () => {
    world = createWorld(definitions);
    const first = world.workflow.start(manual(MEMBER));
    await first.waitFor((e) => e.type === 'task-waiting');
    const c = await world.caseOf(first);
    await world.workflow.start({ source: 'sweep', accountId: MEMBER }).result;
    world.sim.createRootKey(MEMBER);
    await approve(world, c.caseId, 'delete');
    await until(
      async () => (first.states().filter((s) => s === 'RequestApproval').length === 2 ? true : undefined),
      'the second approval request',
    );
    await approve(world, c.caseId, 'delete');
    expect((await first.result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world);
    expect(report).toMatch(/trigger while the case was open/);
    expect(report).toMatch(/rootkey:CompareApprovedKeys — refused/);
  });

  it('fallback to the runbook, and a verification that keeps seeing the key', async () => {
    let simTime = Date.parse('2026-11-28T12:00:00Z');
    world = createWorld(definitions, {
      scenario: workflowScenario({ visibilityDelayMs: 3_600_000 }),
      simNow: () => simTime,
    });
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'delete');
    await walkRunbook(world, c.caseId, () => {
      simTime += 3_600_000;
    });
    expect((await execution.result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world);
    expect(report).toMatch(/root access key still present \(last attempt\)/);

    world.dispose();
    world = createWorld(definitions);
    const fallback = world.workflow.start(manual(MEMBER));
    await fallback.waitForState('RequestApproval');
    const f = await world.caseOf(fallback);
    world.sim.setFeatures({ rootCredentialsManagement: false, rootSessions: false });
    await approve(world, f.caseId, 'delete');
    await walkRunbook(world, f.caseId, () => world!.sim.removeKeysByOperator(MEMBER));
    expect((await fallback.result).status).toBe('SUCCEEDED');
    await expectReadableReports(world);
  });

  it('an abandoned runbook', async () => {
    world = createWorld(definitions, { taskTimeoutMs: 1_000 });
    const execution = world.workflow.start(manual(MANAGEMENT));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'runbook');
    expect((await execution.result).status).toBe('FAILED');
    const [report] = await expectReadableReports(world);
    expect(report).toMatch(/RunbookAbandoned/);
    expect(report).toMatch(/while waiting for runbook step/);
  });

  it('four-eyes approval: a counted vote, then the deciding one', async () => {
    world = createWorld(definitions, { settings: { requiredApprovals: 2 } });
    const execution = world.workflow.start(manual(MEMBER));
    await execution.waitForState('RequestApproval');
    const c = await world.caseOf(execution);
    await approve(world, c.caseId, 'delete');
    await approve(world, c.caseId, 'delete', { userId: 'U0SECOND' });
    expect((await execution.result).status).toBe('SUCCEEDED');
    const [report] = await expectReadableReports(world);
    expect(report).toMatch(/voted delete; 1 of 2 vote\(s\)/);
    expect(report).toMatch(/voted delete; 2 of 2 vote\(s\), decided/);
  });
});
