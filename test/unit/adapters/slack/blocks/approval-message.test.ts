import type { Case } from '../../../../../functions/core/case';
import {
  buildApprovalRecord,
  buildApprovalRequest,
  describeKey,
} from '../../../../../functions/adapters/slack/blocks/approval-message';
import { ACTION_IDS } from '../../../../../functions/adapters/slack/blocks/ids';
import { awaitingCase, NOW, RECENTLY_USED_KEY, UNUSED_KEY } from '../../../../support/slack/case-fixture';

type Block = { type: string; block_id?: string; elements?: Element[] };
type Element = { action_id?: string; value?: string; confirm?: { text: { text: string } }; style?: string };

function actions(blocks: unknown[]): Element[] {
  return (blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

describe('buildApprovalRequest', () => {
  it('shows the account, the masked key, its state, age and last use', () => {
    // Prepare
    const c = awaitingCase({ accountName: 'payments-prod' });
    // Act
    const text = JSON.stringify(buildApprovalRequest(c, NOW).blocks);
    // Assess
    expect(text).toContain('payments-prod');
    expect(text).toContain('`111122223333`');
    expect(text).toContain('`AKIA************MPLE` · Active');
    expect(text).toContain('Created: <!date^1551693600^');
    expect(text).toContain('Last used: <!date^');
    expect(text).toContain('ec2 · eu-west-1');
    expect(text).toContain('Security Hub finding (IAM.4)');
  });

  it('warns when the key was used recently and not when it was never used', () => {
    expect(describeKey(RECENTLY_USED_KEY, NOW)).toContain(':warning: *Used 2 days ago*');
    const never = describeKey(UNUSED_KEY, NOW);
    expect(never).toContain('Last used: never');
    expect(never).toContain('Inactive');
    expect(never).not.toContain(':warning:');
  });

  it('never shows the full key id or the task token', () => {
    const text = JSON.stringify(buildApprovalRequest(awaitingCase(), NOW));
    expect(text).not.toContain(RECENTLY_USED_KEY.id);
    expect(text).not.toContain('SECRET-TASK-TOKEN');
  });

  it('lists the removal paths and the compliance references', () => {
    const text = JSON.stringify(buildApprovalRequest(awaitingCase(), NOW).blocks);
    expect(text).toContain('Automated deletion (AssumeRoot)');
    expect(text).toContain('Root user sign-in');
    for (const ref of [
      'AWS Security Hub IAM.4',
      'PCI DSS 3.2.1 7.2.1',
      'NIST SP 800-53 Rev. 5 AC-6',
      'CIS AWS Foundations Benchmark',
    ]) {
      expect(text).toContain(ref);
    }
  });

  it('offers deletion, behind a confirm dialog, only where AssumeRoot deletion is available', () => {
    const member = actions(buildApprovalRequest(awaitingCase(), NOW).blocks);
    const management = actions(buildApprovalRequest(awaitingCase({ management: true }), NOW).blocks);
    expect(member.map((e) => e.action_id)).toEqual([
      ACTION_IDS.delete,
      ACTION_IDS.runbook,
      ACTION_IDS.acceptRisk,
      ACTION_IDS.reject,
    ]);
    expect(member[0]).toMatchObject({
      style: 'danger',
      confirm: { text: { text: expect.stringContaining('cannot be restored') } },
    });
    expect(management.map((e) => e.action_id)).toEqual([ACTION_IDS.runbook, ACTION_IDS.acceptRisk, ACTION_IDS.reject]);
    expect(JSON.stringify(buildApprovalRequest(awaitingCase({ management: true }), NOW).blocks)).toContain(
      'Automated deletion is not available here',
    );
  });

  it('puts only the case id on the buttons', () => {
    const c = awaitingCase();
    expect(actions(buildApprovalRequest(c, NOW).blocks).map((e) => e.value)).toEqual([
      c.caseId,
      c.caseId,
      c.caseId,
      c.caseId,
    ]);
  });

  it('escapes an account name that tries to mention everyone', () => {
    const message = buildApprovalRequest(awaitingCase({ accountName: 'prod <!channel> & <@U0BOSS>' }), NOW);
    const text = JSON.stringify(message);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0BOSS>');
    expect(message.text).toContain('prod &lt;!channel&gt; &amp; &lt;@U0BOSS&gt;');
  });

  it('shows the votes so far while four-eyes waits for a second approver', () => {
    const c = awaitingCase({
      requiredApprovals: 2,
      votes: [{ userId: 'U0ALICE', action: 'delete', at: NOW.toISOString() }],
    });
    expect(JSON.stringify(buildApprovalRequest(c, NOW).blocks)).toContain(
      'Votes so far (2 needed): <@U0ALICE> chose *Delete the key (AssumeRoot)*',
    );
  });
});

describe('buildApprovalRecord', () => {
  const decided: Case = {
    ...awaitingCase({ token: null }),
    decision: {
      action: 'accept-risk',
      approvers: [{ userId: 'U0ALICE', userName: 'alice', action: 'accept-risk', at: NOW.toISOString() }],
      decidedAt: NOW.toISOString(),
      reason: 'Needed by <!here> batch',
      expiresAt: '2026-09-01T00:00:00.000Z',
      approvedKeys: ['AKIA************MPLE'],
    },
  };

  it('replaces the buttons by who decided what and when, with the reason escaped', () => {
    const { blocks, text } = buildApprovalRecord(decided, NOW);
    const shown = JSON.stringify(blocks);
    expect(actions(blocks)).toEqual([]);
    expect(shown).toContain('*Accept the risk*, decided by <@U0ALICE> (alice) <!date^1780315200^');
    expect(shown).toContain('Needed by &lt;!here&gt; batch');
    expect(shown).toContain('Until 2026-09-01');
    expect(text).toContain('Accept the risk, decided by alice');
  });

  it('says when an expired request closed without a decision', () => {
    const expired: Case = { ...awaitingCase({ token: null }), status: 'expired', closedAt: NOW.toISOString() };
    const shown = JSON.stringify(buildApprovalRecord(expired, NOW).blocks);
    expect(shown).toContain(':hourglass: *Expired*');
    expect(actions(buildApprovalRecord(expired, NOW).blocks)).toEqual([]);
  });
});
