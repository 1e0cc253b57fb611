import { summaryOf } from '../../../../../functions/core/sweep-summary';
import { buildSweepSummary } from '../../../../../functions/adapters/slack/blocks/sweep-summary-message';
import { formattedSpans } from '../../../../support/slack/mrkdwn-rules';

describe('the sweep summary message', () => {
  it('counts accounts, compliant, cases opened and errors, and bolds only its title', () => {
    const summary = summaryOf('arn:aws:states:eu-west-1:222222222222:execution:rootkey-sweep:s1', 1_000, {
      compliant: 990,
      'case-opened': 7,
      'case-already-open': 1,
      error: 2,
    });

    const { text, blocks } = buildSweepSummary(summary);

    expect(text).toContain('*Organization sweep*: 1,000 accounts checked');
    expect(text).toContain('Compliant (no root access key): 990');
    expect(text).toContain('Cases opened: 7 (approval requests below)');
    expect(text).toContain('Root key with a case already open: 1');
    expect(text).toContain('Errors (account not read, failure evidence recorded): 2');
    expect(text).not.toContain('Not reported');
    expect(text.startsWith(':warning:')).toBe(true);
    expect(formattedSpans(text)).toEqual([{ kind: 'bold', text: 'Organization sweep' }]);
    expect(JSON.stringify(blocks)).toContain('1,000 accounts checked');
  });

  it('says how many accounts had not reported instead of counting them as compliant', () => {
    const { text } = buildSweepSummary(
      summaryOf('s2', 5, { compliant: 3, 'case-opened': 0, 'case-already-open': 0, error: 0 }),
    );

    expect(text).toContain('Compliant (no root access key): 3');
    expect(text).toContain('Not reported when this was posted (still running, or the start failed): 2');
    expect(text.startsWith(':warning:')).toBe(true);
  });

  it('is a quiet check mark when every account is compliant', () => {
    const { text } = buildSweepSummary(
      summaryOf('s3', 1, { compliant: 1, 'case-opened': 0, 'case-already-open': 0, error: 0 }),
    );

    expect(text.startsWith(':white_check_mark: *Organization sweep*: 1 account checked')).toBe(true);
    expect(text).toContain('Cases opened: 0\n');
  });
});
