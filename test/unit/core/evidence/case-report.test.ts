import {
  buildCaseReportModel,
  renderCaseReportHtml,
  renderCaseReportMarkdown,
  type CaseReportInput,
} from '../../../../functions/core/evidence/case-report';
import { verifyEvidence } from '../../../../functions/core/evidence/verify-evidence';
import {
  ACCOUNTS,
  buildEvidence,
  caseIdFor,
  testSigningKey,
  type FixtureEvent,
} from '../../../support/evidence/evidence-fixture';

const key = testSigningKey();
const caseId = caseIdFor(ACCOUNTS[0], 1);
const accountId = ACCOUNTS[0];

const KEY = { maskedId: 'AKIA************0042', status: 'Active' as const };
const ALICE = { userId: 'U01ALICE', userName: '<script>alert(1)</script>' };
const AT = '2026-11-28T10:00:02.000Z';
const DECISION = {
  action: 'delete' as const,
  approvers: [{ ...ALICE, at: AT }],
  decidedAt: AT,
  reason: 'unused | since *2019*',
  approvedKeys: [KEY.maskedId],
};

/** One record of each shape the workflow writes, in the order a remediated case writes them. */
const EVENTS: FixtureEvent[] = [
  {
    caseId,
    accountId,
    type: 'detection',
    data: {
      trigger: { source: 'security-hub', accountId, detectedAt: '2026-11-28T09:59:00.000Z' },
      posture: {
        account: { id: accountId, name: 'payments <prod> | PCI' },
        status: 'NON_COMPLIANT',
        reason: 'ListAccessKeys shows 1 active root access key.',
        method: 'assume-root-audit',
        keys: [KEY],
        removalPaths: ['assume-root-delete', 'root-sign-in'],
        checkedAt: '2026-11-28T10:00:00.000Z',
      },
      requiredApprovals: 1,
    },
  },
  {
    caseId,
    accountId,
    type: 'approval-requested',
    data: { requiredApprovals: 2, keys: [KEY], removalPaths: ['assume-root-delete'], requestedAt: AT },
  },
  {
    caseId,
    accountId,
    type: 'decision',
    data: {
      event: 'decided',
      vote: { ...ALICE, action: 'delete', at: AT, reason: DECISION.reason },
      requiredApprovals: 1,
      votes: 1,
      decision: DECISION,
    },
  },
  { caseId, accountId, type: 'decision', data: { applied: true, ...DECISION } },
  {
    caseId,
    accountId,
    type: 'action',
    data: {
      api: 'iam:DeleteAccessKey',
      requestId: 'req-1234',
      outcome: 'success',
      keyId: KEY.maskedId,
      approvedKeys: [KEY.maskedId],
      calledAt: AT,
    },
  },
  {
    caseId,
    accountId,
    type: 'verification',
    data: {
      attempt: 1,
      maxAttempts: 3,
      gone: true,
      exhausted: false,
      reason: 'AccountAccessKeysPresent is 0.',
      method: 'assume-root-audit',
      readAt: AT,
      signals: { accountAccessKeysPresent: 0, listedKeys: 0 },
    },
  },
  {
    caseId,
    accountId,
    type: 'finding-update',
    data: {
      status: 'RESOLVED',
      updated: true,
      findingId: 'arn:aws:securityhub:finding/1',
      productArn: 'arn:aws:securityhub:product',
      source: 'trigger',
      note: 'resolved',
    },
  },
  { caseId, accountId, type: 'outcome', data: { status: 'remediated', summary: 'The root access key was deleted.' } },
];

function reportInput(events = EVENTS): CaseReportInput {
  const evidence = buildEvidence(events, key);
  return {
    caseId,
    records: evidence.records,
    integrity: verifyEvidence({
      records: evidence.recordFiles,
      index: evidence.indexFiles,
      verifySignature: evidence.verifier,
    }),
    generatedAt: '2026-11-28T12:00:00.000Z',
    evidenceLocation: '/data/.rootkey/evidence',
  };
}

describe('case report', () => {
  it('summarizes account, outcome, dates, decisions, actions, verification, digests and the signing key', () => {
    const input = reportInput();

    const model = buildCaseReportModel(input);

    expect(model).toMatchObject({
      accountId,
      accountName: 'payments <prod> | PCI',
      outcome: { status: 'remediated', summary: 'The root access key was deleted.' },
      openedAt: input.records[0].at,
      detectionSource: 'security-hub, 2026-11-28T09:59:00.000Z',
      keys: ['AKIA************0042 (Active)'],
      integrity: { ok: true },
      keyIds: [key.trusted.keyId],
    });
    expect(model.decisions).toEqual([
      expect.objectContaining({
        Event: 'vote (decides)',
        Who: '<script>alert(1)</script> (U01ALICE)',
        Action: 'delete',
      }),
      expect.objectContaining({ Event: 'decision applied', Who: '<script>alert(1)</script> (U01ALICE)', When: AT }),
    ]);
    expect(model.actions).toEqual([
      expect.objectContaining({ API: 'iam:DeleteAccessKey', 'Request id': 'req-1234', Result: 'success' }),
    ]);
    expect(model.verifications).toEqual([
      expect.objectContaining({
        Result: 'no root access key present',
        Signals: 'accountAccessKeysPresent=0; listedKeys=0',
      }),
    ]);
    expect(model.chain.map((r) => r.Digest)).toEqual(input.records.map((r) => r.digest));
  });

  it('renders self-contained HTML with every piece of caller text escaped', () => {
    const html = renderCaseReportHtml(reportInput());

    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<link|src=|href=/);
    expect(html).toContain('@media print');
    expect(html).toContain('PCI DSS 3.2.1 7.2.1');
    expect(html).toContain(reportInput().records[7].digest);
    // Positions never wrap ("10" must not break into "1/0").
    expect(html).toContain('<td class="nowrap">1</td>');
    expect(html).toMatch(/th\.nowrap,td\.nowrap\{white-space:nowrap/);
  });

  it('renders Markdown whose tables survive pipes and markup in caller text', () => {
    const markdown = renderCaseReportMarkdown(reportInput());
    const decisionRow = markdown.split('\n').find((l) => l.includes('U01ALICE') && l.includes('delete |'));

    expect(markdown).toContain('# Root access key case');
    expect(markdown).toContain('unused \\| since \\*2019\\*');
    expect(markdown).toContain('\\<script\\>');
    // A table row keeps its column count: escaped pipes are not separators.
    expect(decisionRow?.split(/(?<!\\)\|/).length).toBe(8);
    expect(markdown).toContain('AWS Security Hub IAM.4');
  });

  it('names a record whose data does not fit its schema instead of guessing at it', () => {
    const markdown = renderCaseReportMarkdown(
      reportInput([{ caseId, accountId, type: 'decision', data: { userId: 'U01', action: 'delete' } }]),
    );

    expect(markdown).toMatch(/decision record whose data does not match the current decision schema/);
    expect(markdown).not.toMatch(/unknown/);
  });

  it('marks a case without an outcome as open', () => {
    const model = buildCaseReportModel(reportInput(EVENTS.slice(0, 3)));

    expect(model.outcome).toBeUndefined();
    expect(renderCaseReportMarkdown(reportInput(EVENTS.slice(0, 3)))).toContain('open (no outcome recorded yet)');
  });

  it('states prominently when the case does not verify, with each problem', () => {
    const input = reportInput();
    const broken = {
      ...input,
      integrity: {
        ...input.integrity,
        ok: false,
        problems: [{ kind: 'changed' as const, file: 'cases/x/000002-decision.json', message: 'content changed' }],
      },
    };

    const markdown = renderCaseReportMarkdown(broken);
    const html = renderCaseReportHtml(broken);

    expect(markdown).toContain('**NOT INTACT.**');
    expect(markdown).toContain('cases/x/000002-decision.json: \\[changed\\] content changed');
    expect(html).toContain('class="bad"');
  });
});
