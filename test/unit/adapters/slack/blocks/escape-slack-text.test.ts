import fc from 'fast-check';
import {
  escapeSlackText,
  mentionGroup,
  mentionUser,
  slackTime,
} from '../../../../../functions/adapters/slack/blocks/escape-slack-text';

describe('escapeSlackText', () => {
  it('writes &, < and > as entities', () => {
    expect(escapeSlackText('R&D <prod> account')).toBe('R&amp;D &lt;prod&gt; account');
  });

  it.each([
    ['<!channel> urgent', '&lt;!channel&gt; urgent'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['ping <@U0ADMIN>', 'ping &lt;@U0ADMIN&gt;'],
    ['<!subteam^S0SECURITY>', '&lt;!subteam^S0SECURITY&gt;'],
    ['<https://evil.example|Approve here>', '&lt;https://evil.example|Approve here&gt;'],
    ['<!date^1^{date}|x>', '&lt;!date^1^{date}|x&gt;'],
  ])('turns the control sequence %s into plain text', (input, expected) => {
    expect(escapeSlackText(input)).toBe(expected);
  });

  it('breaks bare broadcast words so that no client notifies on them', () => {
    expect(escapeSlackText('hey @channel and @HERE, @everyone')).toBe(
      'hey @\u200bchannel and @\u200bHERE, @\u200beveryone',
    );
  });

  it('escapes text that is already escaped again, so entities cannot smuggle a sequence in', () => {
    expect(escapeSlackText('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('drops control characters but keeps newlines and tabs', () => {
    expect(escapeSlackText('a\u0000b\u0007c\nd\te\u007f')).toBe('abc\nd\te');
  });

  it('truncates before escaping so that an entity is never cut in half', () => {
    expect(escapeSlackText('<<<<<<', 4)).toBe('&lt;&lt;&lt;…');
  });

  it('never lets a < or > through and only emits the three entities, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        const out = escapeSlackText(input);
        expect(out).not.toMatch(/[<>]/);
        expect(out.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }),
    );
  });
});

describe('mentions and times', () => {
  it('mentions only real Slack ids and escapes anything else', () => {
    expect(mentionUser('U0ALICE')).toBe('<@U0ALICE>');
    expect(mentionUser('U0X> <!channel')).toBe('U0X&gt; &lt;!channel');
    expect(mentionGroup('S0SECURITY')).toBe('<!subteam^S0SECURITY>');
    expect(mentionGroup('@security')).toBe('@security');
  });

  it("renders a time in the reader's zone with a UTC fallback", () => {
    expect(slackTime('2026-06-01T12:34:56.000Z')).toBe(
      '<!date^1780317296^{date_short_pretty} {time}|2026-06-01 12:34 UTC>',
    );
    expect(slackTime('not a date <!here>')).toBe('not a date &lt;!here&gt;');
  });
});
