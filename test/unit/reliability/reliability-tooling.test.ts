import { renderReliabilityReport } from '../../reliability/write-report';
import { allows, actionMatches, policyStatements, resolveText } from '../../support/reliability/iam-statements';
import type { ReliabilityResults } from '../../support/reliability/reliability-results';
import { unexpectedMarkup } from '../../support/reliability/slack-markup-scan';
import type { RecordedSlackCall } from '../../support/slack/slack-web-api-double';

/** The suite's own tools: a scanner that cannot find anything proves nothing. */

function call(text: string, blocks: unknown[] = []): RecordedSlackCall {
  return { method: 'chat.postMessage', args: { text, blocks }, raw: '' };
}

describe('the Slack markup scanner', () => {
  it('flags broadcasts, foreign mentions, links and stray brackets, and passes escaped text', () => {
    // Prepare
    const calls = [
      call('hello <!channel>'),
      call('ok', [{ type: 'section', text: { type: 'mrkdwn', text: 'by <@U0MALLORY> and <@U0ALICE>' } }]),
      call('<http://evil.example|report> and <!subteam^S0EVIL>'),
      call('bare @here and a stray < bracket'),
      call(
        'escaped &lt;!channel&gt; and @\u200bhere, quoted\n>reason, <!date^1^{date_short_pretty} {time}|2026-01-01 00:00 UTC>',
      ),
      call('plain text is shown literally', [{ type: 'header', text: { type: 'plain_text', text: '<!channel>' } }]),
    ];
    // Act
    const findings = unexpectedMarkup(calls, { userIds: ['U0ALICE'] }).map((f) => f.sequence);
    // Assess
    expect(findings).toEqual([
      '<!channel>',
      '<@U0MALLORY>',
      '<http://evil.example|report>',
      '<!subteam^S0EVIL>',
      'unpaired < or >',
      '@here',
    ]);
  });
});

describe('the IAM statement reader', () => {
  it('expands IAM wildcards, counts NotAction allows and resolves partitions', () => {
    expect(actionMatches('sts:Assume*', 'sts:AssumeRoot')).toBe(true);
    expect(actionMatches('STS:ASSUMEROOT', 'sts:AssumeRoot')).toBe(true);
    expect(actionMatches('sts:AssumeRole', 'sts:AssumeRoot')).toBe(false);
    expect(resolveText({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:root']] })).toBe(
      'arn:aws:iam::*:root',
    );
    const [statement] = policyStatements('T', {
      Resources: {
        P: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] } },
        },
      },
    });
    expect(allows(statement!, 'sts:AssumeRoot')).toBe(true);
    expect(allows(statement!, 'iam:DeleteAccessKey')).toBe(false);
  });
});

describe('the RELIABILITY.md renderer', () => {
  it('renders every measured scenario, its counts and the known gaps', () => {
    // Prepare
    const results: ReliabilityResults = {
      schemaVersion: 1,
      generatedAt: '2026-11-28T10:00:00.000Z',
      files: [
        {
          source: 'test/integration/reliability/workflow-faults.test.ts',
          writtenAt: '2026-11-28T10:00:00.000Z',
          durationMs: 1234,
          scenarios: [
            {
              id: 'faults.x',
              section: 'faults',
              title: 'Throttling',
              injected: 'throttleRate 0.5',
              goal: '20 of 20 remediated',
              outcome: '17 failed, 3 remediated',
              counts: {
                casesStarted: 20,
                casesEnded: 20,
                casesWithEvidence: 20,
                evidenceCases: 20,
                evidenceVerifies: 1,
                remediated: 3,
                delayed: 2,
                failed: 17,
              },
              holds: false,
              gap: 'Only 3 of 20 remediated.',
            },
          ],
        },
      ],
    };
    // Act
    const markdown = renderReliabilityReport(results);
    // Assess
    expect(markdown).toContain(
      '| Throttling | throttleRate 0.5 | 20 of 20 remediated | 20 | 3 | 2 | 17 | 20 | 20 | yes | – | 17 failed, 3 remediated | gap |',
    );
    expect(markdown).toContain('- **Throttling** (`faults.x`): Only 3 of 20 remediated.');
    expect(markdown).toContain('Missing results (not run)');
  });
});
