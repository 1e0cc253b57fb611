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

const EVENTS: FixtureEvent[] = [
  {
    caseId,
    accountId,
    type: 'detection',
    data: {
      accountName: 'payments <prod> | PCI',
      trigger: { source: 'security-hub' },
      keys: [{ maskedId: 'AKIA************0042', status: 'Active' }],
    },
  },
  { caseId, accountId, type: 'approval-requested', data: { requiredApprovals: 2 } },
  {
    caseId,
    accountId,
    type: 'decision',
    data: {
      userId: 'U01ALICE',
      userName: '<script>alert(1)</script>',
      action: 'delete',
      reason: 'unused | since *2019*',
    },
  },
  {
    caseId,
    accountId,
    type: 'action',
    data: { api: 'DeleteAccessKey', requestId: 'req-1234', outcome: 'success', keyId: 'AKIA************0042' },
  },
  {
    caseId,
    accountId,
    type: 'verification',
    data: {
      attempt: 1,
      gone: true,
      method: 'assume-root-audit',
      signals: { accountAccessKeysPresent: 0, listedKeys: 0 },
    },
  },
  { caseId, accountId, type: 'finding-update', data: { status: 'RESOLVED', updated: true } },
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
      detectionSource: 'security-hub',
      keys: ['AKIA************0042 (Active)'],
      integrity: { ok: true },
      keyIds: [key.trusted.keyId],
    });
    expect(model.decisions).toEqual([
      expect.objectContaining({ Who: '<script>alert(1)</script> (U01ALICE)', Action: 'delete' }),
    ]);
    expect(model.actions).toEqual([
      expect.objectContaining({ API: 'DeleteAccessKey', 'Request id': 'req-1234', Result: 'success' }),
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
    expect(html).toContain(reportInput().records[6].digest);
  });

  it('renders Markdown whose tables survive pipes and markup in caller text', () => {
    const markdown = renderCaseReportMarkdown(reportInput());
    const decisionRow = markdown.split('\n').find((l) => l.includes('U01ALICE') && l.includes('delete |'));

    expect(markdown).toContain('# Root access key case');
    expect(markdown).toContain('unused \\| since \\*2019\\*');
    expect(markdown).toContain('\\<script\\>');
    // A table row keeps its column count: escaped pipes are not separators.
    expect(decisionRow?.split(/(?<!\\)\|/).length).toBe(7);
    expect(markdown).toContain('AWS Security Hub IAM.4');
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
